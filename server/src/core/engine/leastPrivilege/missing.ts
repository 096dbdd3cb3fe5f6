/**
 * `missing-permission`: what the deploy needs (deployer/needs.ts) that a Role/ClusterRole does not grant, per manifest
 * object, matched with the RBAC authorizer's own rule matching (rbac/evaluate.ts).
 */
import type { RequiredPermission } from '../deployer/needs';
import type { Finding, PolicyRule, RbacObject } from '../model';
import { rulesAllow } from '../rbac/evaluate';

/** The needs a set of rules does not grant. */
export function missingNeeds(rules: readonly PolicyRule[], needs: readonly RequiredPermission[]): RequiredPermission[] {
  return needs.filter((n) => {
    if (rulesAllow(rules, { verb: n.verb, apiGroup: n.group, resource: n.resource, name: n.name })) return false;
    const alt = n.alternative;
    return !(alt && rulesAllow(rules, { verb: alt.verb, apiGroup: alt.group, resource: alt.resource, name: alt.name }));
  });
}

/** `horizontalpodautoscalers.autoscaling`, `secrets` (core), `pods/exec in every API group`, with the object name if any. */
export function resourceText(n: { group: string; resource: string; name?: string }): string {
  const group = n.group === '' ? '' : n.group === '*' ? ' in every API group' : `.${n.group}`;
  const resource = `${n.resource}${group}`;
  return `${resource}${n.name ? ` named "${n.name}"` : ''}`;
}

/** "get, create horizontalpodautoscalers.autoscaling; list secrets": verbs grouped per resource, in need order. */
export function needsText(needs: readonly RequiredPermission[]): string {
  const by = new Map<string, string[]>();
  for (const n of needs) {
    const key = resourceText(n.why ? n : { ...n, name: '' });
    const verbs = by.get(key) ?? [];
    if (!verbs.includes(n.verb)) verbs.push(n.verb);
    by.set(key, verbs);
  }
  return [...by].map(([resource, verbs]) => `${verbs.join(', ')} ${resource}`).join('; ');
}

const MAX_FINDINGS = 50;

/** One error per manifest object the Role leaves the deploy without, on the role's `rules` key. */
export function missingPermissionFindings(obj: RbacObject, needs: readonly RequiredPermission[]): Finding[] {
  if (obj.kind !== 'Role' && obj.kind !== 'ClusterRole') return [];
  if (obj.aggregationRule) return []; // its rules come from the aggregation controller, not from the file
  // A Role cannot grant a cluster-scoped resource at all: said once per object, never "fixed" by adding it to the Role.
  const missing = missingNeeds(obj.rules.map((r) => r.rule), needs).map((n) => (obj.kind === 'Role' && n.clusterScoped ? { ...n, why: 'cluster-scoped: a Role cannot grant it; only a ClusterRole bound with a ClusterRoleBinding can, which gives the pipeline cluster-wide rights' } : n));
  const byObject = new Map<string, RequiredPermission[]>();
  for (const n of missing) {
    const key = `${n.action}\u0000${n.object}\u0000${n.why ?? ''}`;
    byObject.set(key, [...(byObject.get(key) ?? []), n]);
  }
  const span = obj.rulesKeySpan ?? obj.kindSpan;
  const out: Finding[] = [];
  for (const group of byObject.values()) {
    if (out.length >= MAX_FINDINGS) break;
    const first = group[0]!;
    const why = first.why ? ` (${first.why})` : '';
    out.push({
      ruleId: 'missing-permission',
      severity: 'error',
      span,
      documentIndex: obj.documentIndex,
      message: `${first.action} will fail on ${first.object}${first.source ? ` (${first.source})` : ''}: ${needsText(group)}${why}`,
      ...(first.why?.startsWith('cluster-scoped') ? {} : { data: { missing: compact(group) } }),
    });
  }
  return out;
}

/** The missing atoms as rules, one per (group, resource), for the quick fix. */
export function compact(needs: readonly RequiredPermission[]): PolicyRule[] {
  const by = new Map<string, { group: string; resource: string; verbs: Set<string> }>();
  for (const n of needs) {
    const key = `${n.group}\u0000${n.resource}`;
    const e = by.get(key) ?? { group: n.group, resource: n.resource, verbs: new Set<string>() };
    e.verbs.add(n.verb);
    by.set(key, e);
  }
  return [...by.values()].map((e) => ({ apiGroups: [e.group], resources: [e.resource], verbs: [...e.verbs] }));
}
