/**
 * The `reach` finding: on a Role or ClusterRole whose holder can become an identity that holds more than the role, at
 * the rule that allows the first step; on a binding whose role is defined elsewhere (the cluster), at its name.
 * One finding per object: the worst identity reached, and how many more there are.
 */
import type { Finding, Span } from '../engine/model';
import { gainsSeverity, shortName } from './gains';
import type { ReachGraph } from './graph';
import { roleLabel } from './grants';
import { outboundWithGains, type ReachedWithGains } from './result';
import type { ReachObject } from './fromObjects';
import type { Identity } from './types';

/** Bound on the namespaces a ClusterRole is evaluated in (one search each). */
const MAX_SCOPES = 20;

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

const rank = (r: ReachedWithGains): number => (gainsSeverity(r.gains) === 'error' ? 2 : r.gains.length ? 1 : 0);

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
    let worst: { reached: ReachedWithGains; count: number } | undefined;
    for (const s of subjects) {
      const out = outboundWithGains(graph, s).filter((r) => r.gains.length > 0);
      if (!out.length) continue;
      if (!worst || rank(out[0]!) > rank(worst.reached)) worst = { reached: out[0]!, count: out.length };
    }
    if (!worst) continue;
    findings.push(findingFor(o, worst.reached, worst.count, lineOf));
  }
  return findings;
}

function findingFor(o: ReachObject, r: ReachedWithGains, count: number, lineOf: (offset: number) => number): Finding {
  const first = r.path[0]!;
  const own = o.role ? roleLabel(o.role) : undefined;
  const m = first.matches.find((x) => x.grant.role === own);
  const span: Span = m && o.ruleSpans?.[m.ruleIndex] ? o.ruleSpans[m.ruleIndex]! : o.nameSpan;
  const where = first.namespace ? ` in ${first.namespace}` : ' cluster-wide';
  const line = m && o.ruleSpans?.[m.ruleIndex] ? `, line ${lineOf(span.start)}` : ` (allowed by ${first.matches.map((x) => x.grant.binding).join(' + ')})`;
  const gains = r.gains.length > 1 ? `${r.gains[0]} (and ${r.gains.length - 1} more)` : r.gains[0];
  const steps = r.path.length > 1 ? `, then ${r.path.length - 1} more step${r.path.length > 2 ? 's' : ''}` : '';
  const others = count > 1 ? `; ${count - 1} more identit${count > 2 ? 'ies' : 'y'} reachable` : '';
  const can = gains === 'cluster-admin equivalent' ? 'which is cluster-admin equivalent' : `which can ${gains}`;
  return {
    ruleId: 'reach',
    severity: gainsSeverity(r.gains) ?? 'warning',
    message: `lets whoever holds it become ${shortName(r.identity)}, ${can}: ${first.action}${where}${line}${steps}${others} (pipeline-rbac reach shows every path)`,
    span,
  };
}
