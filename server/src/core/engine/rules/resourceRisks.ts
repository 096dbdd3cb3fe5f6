/**
 * Risky grants on specific resources, matched the way the RBAC authorizer matches requests: apiGroup-aware (a custom
 * group's `pods` is not core pods; `*` matches every group), `*` and `*\/subresource` resources, `*` verbs, over every
 * rule. resourceNames narrow a grant (noted in the message, and lowering the severity where the risk says so) and make
 * create/deletecollection of top-level objects grant nothing at all, since those requests carry no name.
 */
import type { Finding, LocatedRule, RbacObject, Severity, Span } from '../model';
import { resourceItemMatches } from '../rbac/evaluate';
import { defaultSeverity } from './catalog';
import type { ResourceRisk, Target } from './resourceRiskTable';

export { RESOURCE_RISKS, type ResourceRisk } from './resourceRiskTable';

/** Does a rule's resource string match a target (authorizer semantics, plus "any subresource" targets)? */
export function resourceMatchesTarget(item: string, t: Target): boolean {
  if (t.subresource === '*') {
    return item === '*' || item.startsWith(`${t.resource}/`) || (item.startsWith('*/') && item.length > 2);
  }
  const sub = t.subresource ?? '';
  return resourceItemMatches(item, sub ? `${t.resource}/${sub}` : t.resource, sub);
}

function targetLabel(t: Target): string {
  return t.subresource ? `${t.resource}/${t.subresource}` : t.resource;
}

function groupLabel(group: string): string {
  return group === '' ? 'core' : group;
}

export interface Match {
  /** Indices of the verb items that grant the risky access. */
  verbIdx: number[];
  targets: Target[];
  /** What the item grants of the risky targets: the item itself when literal, else the targets it includes. */
  covered: string[];
  viaWildcardGroup: boolean;
}

/** Are the rule's requests limited to named objects? ("" in resourceNames matches nothing but is not a limit.) */
export function isNamed(rule: LocatedRule['rule']): boolean {
  const names = rule.resourceNames ?? [];
  return names.length > 0 && !names.includes('');
}

/** Which verb items of the rule grant `t` riskily, given its resourceNames (create/deletecollection carry no name). */
function grantingVerbs(rule: LocatedRule['rule'], t: Target, literalOnly: boolean): (verb: string) => boolean {
  const nameless = isNamed(rule) && !t.subresource;
  const ok = (v: string): boolean => (t.verbs === 'any' || t.verbs.includes(v)) && !(nameless && (v === 'create' || v === 'deletecollection'));
  return (verb: string): boolean => {
    if (verb !== '*') return ok(verb);
    return !literalOnly && (t.verbs === 'any' || t.verbs.some(ok));
  };
}

export function matchResourceItem(targets: readonly Target[], rule: LocatedRule['rule'], item: string, literalOnly = false): Match | undefined {
  const groups = rule.apiGroups ?? [];
  const verbs = rule.verbs ?? [];
  const found: Target[] = [];
  const covered = new Set<string>();
  const verbIdx = new Set<number>();
  let viaWildcardGroup = false;
  for (const t of targets) {
    const literalGroup = groups.includes(t.group);
    if (!literalGroup && !groups.includes('*')) continue;
    if (!resourceMatchesTarget(item, t)) continue;
    const grants = grantingVerbs(rule, t, literalOnly);
    const idx = verbs.flatMap((v, i) => (grants(v) ? [i] : []));
    if (idx.length === 0) continue;
    found.push(t);
    covered.add(item.includes('*') ? targetLabel(t) : item);
    idx.forEach((i) => verbIdx.add(i));
    if (!literalGroup) viaWildcardGroup = true;
  }
  return found.length ? { verbIdx: [...verbIdx].sort((a, b) => a - b), targets: found, covered: [...covered], viaWildcardGroup } : undefined;
}

export function itemSpan(located: LocatedRule, field: 'verbs' | 'resources', index: number): Span {
  return located.fields[field]?.items[index] ?? located.fields[field]?.span ?? located.span;
}

/** "limited to resourceNames a, b", saying so when a name is the literal "*" (RBAC has no name wildcard). */
export function namesNote(names: readonly string[] | undefined): string {
  if (!names?.length) return '';
  const star = names.includes('*') ? ' ("*" is a literal name, not a wildcard)' : '';
  return `; limited to resourceNames ${names.join(', ')}${star}`;
}

export function describe(effect: string, located: LocatedRule, resourceItems: string[], m: Match, verbItems: string[]): string {
  const rule = located.rule;
  const covered = m.covered;
  const literal = covered.length === resourceItems.length && covered.every((c) => resourceItems.includes(c));
  const what = literal ? resourceItems.join(', ') : `${resourceItems.join(', ')} (includes ${covered.join(', ')})`;
  const groupList = [...new Set(m.targets.map((t) => groupLabel(t.group)))];
  const groups = groupList.join(', ');
  const where = m.viaWildcardGroup
    ? `apiGroup * (includes ${groups})`
    : groupList.length > 1
      ? `groups ${groups}`
      : groups === 'core'
        ? 'the core group'
        : `group ${groups}`;
  return `${verbItems.join(', ')} on ${what} in ${where}: ${effect}${namesNote(rule.resourceNames)}`;
}

/** Per risk: the groups of its targets (a rule naming none of them, and not "*", cannot match), and the minor targets. */
interface Prepared {
  groups: ReadonlySet<string>;
  minorTargets?: Target[];
}
const prepared = new WeakMap<ResourceRisk, Prepared>();

function prepare(risk: ResourceRisk): Prepared {
  let p = prepared.get(risk);
  if (!p) {
    p = { groups: new Set(risk.targets.map((t) => t.group)) };
    if (risk.minor) p.minorTargets = risk.targets.map((t) => ({ ...t, verbs: risk.minor!.verbs }));
    prepared.set(risk, p);
  }
  return p;
}

/** Findings of one resource risk over every rule of a Role/ClusterRole. */
export function resourceRiskFindings(obj: RbacObject, risk: ResourceRisk): Finding[] {
  const findings: Finding[] = [];
  const severity = defaultSeverity(risk.id);
  const prep = prepare(risk);
  for (const located of obj.rules) {
    const rule = located.rule;
    const groups = rule.apiGroups ?? [];
    if (!groups.some((g) => g === '*' || prep.groups.has(g))) continue;
    const resources = rule.resources ?? [];
    const verbs = rule.verbs ?? [];
    const named = risk.named && isNamed(rule) ? risk.named : undefined;
    const matches = resources.map((r) => matchResourceItem(risk.targets, rule, r));
    if (risk.anchor === 'resource') {
      matches.forEach((m, i) => {
        let sev: Severity = named?.severity ?? severity;
        let effect = named?.effect ?? risk.effect;
        if (!m && risk.minor && prep.minorTargets) {
          m = matchResourceItem(prep.minorTargets, rule, resources[i]!, true);
          sev = 'information';
          effect = risk.minor.effect;
        }
        if (!m) return;
        findings.push({
          ruleId: risk.id,
          severity: sev,
          message: describe(effect, located, [resources[i]!], m, m.verbIdx.map((v) => verbs[v]!)),
          span: itemSpan(located, 'resources', i),
          documentIndex: obj.documentIndex,
          data: { ruleIndex: located.index, field: 'resources', value: resources[i]! },
        });
      });
      continue;
    }
    // Verb-anchored: one finding per risky verb item, naming the resources it applies to.
    const perVerb = new Map<number, number[]>();
    matches.forEach((m, ri) => m?.verbIdx.forEach((vi) => perVerb.set(vi, [...(perVerb.get(vi) ?? []), ri])));
    for (const [vi, ris] of [...perVerb].sort((a, b) => a[0] - b[0])) {
      const merged: Match = {
        verbIdx: [vi],
        targets: ris.flatMap((ri) => matches[ri]!.targets),
        covered: [...new Set(ris.flatMap((ri) => matches[ri]!.covered))],
        viaWildcardGroup: ris.some((ri) => matches[ri]!.viaWildcardGroup),
      };
      findings.push({
        ruleId: risk.id,
        severity: named?.severity ?? severity,
        message: describe(named?.effect ?? risk.effect, located, ris.map((ri) => resources[ri]!), merged, [verbs[vi]!]),
        span: itemSpan(located, 'verbs', vi),
        documentIndex: obj.documentIndex,
        data: { ruleIndex: located.index, field: 'verbs', value: verbs[vi]! },
      });
    }
  }
  return findings;
}
