/**
 * The universe of the files checked (a GitOps repository of the cluster's RBAC is a complete one): their Roles,
 * ClusterRoles (aggregation filled in), bindings and ServiceAccounts, as plain data that crosses worker threads and
 * keeps where each rule sits for the finding.
 */
import { aggregationOf } from '../engine/rbac/aggregate';
import type { RbacObject, Span } from '../engine/model';
import type { Universe, UniverseBinding, UniverseRole } from './types';

export interface ReachObject {
  kind: RbacObject['kind'];
  name: string;
  namespace: string;
  nameSpan: Span;
  /** Role/ClusterRole: the rules and where each one sits. */
  role?: UniverseRole;
  ruleSpans?: Span[];
  binding?: UniverseBinding;
}

/** What reach keeps of a parsed object; objects without a name are left out (the schema rule reports them). */
export function reachObjectOf(o: RbacObject, defaultNamespace: string): ReachObject | undefined {
  if (!o.name) return undefined;
  const namespace = o.namespace ?? defaultNamespace;
  const base = { kind: o.kind, name: o.name, namespace, nameSpan: o.nameSpan };
  if (o.kind === 'Role' || o.kind === 'ClusterRole') {
    const agg = o.kind === 'ClusterRole' ? aggregationOf(o.value) : undefined;
    const role: UniverseRole = {
      kind: o.kind,
      name: o.name,
      ...(o.kind === 'Role' ? { namespace } : {}),
      rules: o.rules.map((r) => r.rule),
      labels: o.labels,
      ...(agg ? { aggregationSelectors: agg.invalid ? [] : agg.selectors } : {}),
    };
    return { ...base, role, ruleSpans: o.rules.map((r) => r.span) };
  }
  if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
    if (!o.roleRef) return undefined;
    const binding: UniverseBinding = {
      kind: o.kind,
      name: o.name,
      ...(o.kind === 'RoleBinding' ? { namespace } : {}),
      roleRef: { kind: o.roleRef.kind, name: o.roleRef.name },
      subjects: o.subjects.map((s) => ({ kind: s.kind, name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) })),
    };
    return { ...base, binding };
  }
  return base;
}

/** The universe the objects describe; every ServiceAccount a binding names in it counts as existing only if defined. */
export function universeOfObjects(objects: readonly ReachObject[]): Universe {
  const namespaces = new Set<string>();
  const serviceAccounts: Universe['serviceAccounts'] = [];
  for (const o of objects) {
    if (o.kind !== 'ClusterRole' && o.kind !== 'ClusterRoleBinding') namespaces.add(o.namespace);
    if (o.kind === 'ServiceAccount') serviceAccounts.push({ namespace: o.namespace, name: o.name });
  }
  // Every namespace has a `default` ServiceAccount (the ServiceAccount controller creates it).
  for (const ns of namespaces) if (!serviceAccounts.some((s) => s.namespace === ns && s.name === 'default')) serviceAccounts.push({ namespace: ns, name: 'default' });
  return {
    namespaces: [...namespaces].sort(),
    serviceAccounts,
    tokenSecrets: [],
    roles: objects.flatMap((o) => (o.role ? [o.role] : [])),
    bindings: objects.flatMap((o) => (o.binding ? [o.binding] : [])),
    notVisible: [],
  };
}
