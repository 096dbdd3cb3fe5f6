/**
 * The `reach` finding: on a Role or ClusterRole whose holder can become an identity that holds more than the role, at
 * the rule that allows the first step; on a binding whose role is defined elsewhere (the cluster), at its name.
 * One finding per object: the worst identity reached, and how many more there are.
 */
import type { Finding, Span } from '../engine/model';
import { gainsSeverity, shortName } from './gains';
import type { ReachGraph } from './graph';
import { roleLabel } from './grants';
import type { ReachedWithGains } from './result';
import type { ReachObject } from './fromObjects';
import type { Identity } from './types';

/** Bound on the namespaces a ClusterRole is evaluated in (one search each). */
const MAX_SCOPES = 20;
/**
 * Bound on the identities one finding's search visits (the nearest first): a file of thousands of roles over a large
 * universe stays linear. `pipeline-rbac reach` has no such bound below the graph's own.
 */
export const FINDING_MAX_NODES = 500;

function holderScopes(graph: ReachGraph, o: ReachObject): Identity[] {
  if (o.kind === 'Role') return [{ kind: 'RoleHolder', roleKind: 'Role', name: o.name, namespace: o.namespace }];
  const scopes = new Set<string | undefined>();
  for (const b of graph.u.universe.bindings) {
    if (b.roleRef.kind !== 'ClusterRole' || b.roleRef.name !== o.name) continue;
    scopes.add(b.kind === 'ClusterRoleBinding' ? undefined : b.namespace);
  }
  // Not bound anywhere we can see: judged as if bound cluster-wide, the most it can grant.
  if (scopes.size === 0 || scopes.has(undefined)) return [{ kind: 'RoleHolder', roleKind: 'ClusterRole', name: o.name }];
  return [...scopes].slice(0, MAX_SCOPES).map((ns) => ({ kind: 'RoleHolder', roleKind: 'ClusterRole', name: o.name, namespace: ns! }));
}

interface Worst {
  reached: ReachedWithGains;
  count: number;
  /** The search stopped at FINDING_MAX_NODES: more may be reachable. */
  capped: boolean;
}

const rankOf = (gains: readonly string[]): number => (gainsSeverity(gains) === 'error' ? 2 : gains.length ? 1 : 0);

/**
 * The worst identity `subject` reaches, and how many it reaches. Gains over the subject are computed strongest
 * candidate first (an identity's own strength bounds what it gains), so a large universe costs one search, not one
 * Covers per identity reached.
 */
function worstReach(graph: ReachGraph, subject: Identity): Worst | undefined {
  const all = graph.outbound(subject, FINDING_MAX_NODES);
  const candidates = all.map((r) => ({ r, bound: graph.strength(r.identity) })).filter((c) => c.bound > 0);
  candidates.sort((a, b) => b.bound - a.bound || a.r.path.length - b.r.path.length);
  let best: ReachedWithGains | undefined;
  for (const c of candidates) {
    if (best && rankOf(best.gains) >= c.bound) break;
    const gains = graph.gains(c.r.identity, subject);
    if (gains.length && (!best || rankOf(gains) > rankOf(best.gains))) best = { ...c.r, gains };
  }
  return best ? { reached: best, count: all.length, capped: all.length >= FINDING_MAX_NODES } : undefined;
}

/** Findings for the objects of one file; `lineOf` gives the 1-based line of an offset in that file. */
export function reachFindings(graph: ReachGraph, objects: readonly ReachObject[], roleNames: ReadonlySet<string>, lineOf: (offset: number) => number): Finding[] {
  const findings: Finding[] = [];
  for (const o of objects) {
    let subjects: Identity[];
    if (o.role) subjects = holderScopes(graph, o);
    else if (o.binding) {
      const ref = o.binding.roleRef;
      const kind = ref.kind === 'Role' ? 'Role' : ref.kind === 'ClusterRole' ? 'ClusterRole' : undefined;
      // A role defined in the files has its own finding: one problem, one finding.
      if (!kind || roleNames.has(roleLabel({ kind, name: ref.name, namespace: o.namespace }))) continue;
      subjects = [{ kind: 'RoleHolder', roleKind: kind, name: ref.name, ...(o.binding.kind === 'RoleBinding' ? { namespace: o.namespace } : {}) }];
    } else continue;
    let worst: Worst | undefined;
    for (const s of subjects) {
      const w = worstReach(graph, s);
      if (w && (!worst || rankOf(w.reached.gains) > rankOf(worst.reached.gains))) worst = w;
    }
    if (!worst) continue;
    findings.push(findingFor(o, worst, lineOf));
  }
  return findings;
}

function findingFor(o: ReachObject, worst: Worst, lineOf: (offset: number) => number): Finding {
  const { reached: r, count } = worst;
  const first = r.path[0]!;
  const own = o.role ? roleLabel(o.role) : undefined;
  const m = first.matches.find((x) => x.grant.role === own);
  const span: Span = m && o.ruleSpans?.[m.ruleIndex] ? o.ruleSpans[m.ruleIndex]! : o.nameSpan;
  const where = first.namespace ? ` in ${first.namespace}` : ' cluster-wide';
  const line = m && o.ruleSpans?.[m.ruleIndex] ? `, line ${lineOf(span.start)}` : ` (allowed by ${first.matches.map((x) => x.grant.binding).join(' + ')})`;
  const gains = r.gains.length > 1 ? `${r.gains[0]} (and ${r.gains.length - 1} more)` : r.gains[0];
  const steps = r.path.length > 1 ? `, then ${r.path.length - 1} more step${r.path.length > 2 ? 's' : ''}` : '';
  const others = count > 1 ? `; ${worst.capped ? 'at least ' : ''}${count - 1} more identit${count > 2 ? 'ies' : 'y'} reachable` : '';
  const can = gains === 'cluster-admin equivalent' ? 'which is cluster-admin equivalent' : `which can ${gains}`;
  return {
    ruleId: 'reach',
    severity: gainsSeverity(r.gains) ?? 'warning',
    message: `lets whoever holds it become ${shortName(r.identity)}, ${can}: ${first.action}${where}${line}${steps}${others} (pipeline-rbac reach shows every path)`,
    span,
  };
}
