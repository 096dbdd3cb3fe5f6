import type { PolicyRule, RbacObject } from './model';
import { aggregationOf, resolveAggregation, type AggregatedRules, type KnownClusterRole } from './rbac/aggregate';

/** A role's rules; an aggregated ClusterRole's are what is known of its aggregation (a lower bound). */
export type RoleResolver = (kind: 'Role' | 'ClusterRole', name: string, namespace: string) => PolicyRule[] | undefined;

/** What is known of an aggregated ClusterRole's rules; undefined when the role is unknown or does not aggregate. */
export type AggregationResolver = (name: string) => AggregatedRules | undefined;

/** A role as indexed: its written rules, and for a ClusterRole its labels and aggregationRule. */
export interface IndexedRole {
  rules: PolicyRule[];
  labels?: Record<string, string>;
  aggregation?: KnownClusterRole['aggregation'];
}

/** Roles by "Role/<namespace>/<name>" and "ClusterRole//<name>": plain data, so it crosses worker threads. */
export type RoleIndex = Map<string, IndexedRole>;

export function roleKey(kind: 'Role' | 'ClusterRole', name: string, namespace: string): string {
  return kind === 'Role' ? `Role/${namespace}/${name}` : `ClusterRole//${name}`;
}

const CLUSTER_ROLE = 'ClusterRole//';

/** The Roles and ClusterRoles among objects (a Role without namespace lands in defaultNamespace). */
export function indexRoles(objects: Iterable<RbacObject>, defaultNamespace: string, into: RoleIndex = new Map()): RoleIndex {
  for (const o of objects) {
    const rules = o.rules.map((r) => r.rule);
    if (o.kind === 'Role') into.set(roleKey('Role', o.name, o.namespace ?? defaultNamespace), { rules });
    else if (o.kind === 'ClusterRole') {
      const aggregation = aggregationOf(o.value);
      into.set(roleKey('ClusterRole', o.name, ''), { rules, labels: o.labels, ...(aggregation ? { aggregation } : {}) });
    }
  }
  return into;
}

/** The ClusterRoles of the indexes, the first index's version of a name winning. */
function clusterRoles(indexes: readonly RoleIndex[]): KnownClusterRole[] {
  const out = new Map<string, KnownClusterRole>();
  for (const index of indexes) {
    for (const [key, e] of index) {
      if (!key.startsWith(CLUSTER_ROLE)) continue;
      const name = key.slice(CLUSTER_ROLE.length);
      if (!out.has(name)) out.set(name, { name, labels: e.labels ?? {}, rules: e.rules, ...(e.aggregation ? { aggregation: e.aggregation } : {}) });
    }
  }
  return [...out.values()];
}

/**
 * Aggregation over the ClusterRoles of the indexes (the first wins a name). `live` gives the cluster's current rules of
 * a ClusterRole, which the controller has already aggregated: with them the set is complete.
 */
export function aggregationResolver(indexes: readonly RoleIndex[], live?: RoleResolver): AggregationResolver {
  let known: KnownClusterRole[] | undefined;
  const memo = new Map<string, AggregatedRules | undefined>();
  return (name) => {
    if (memo.has(name)) return memo.get(name);
    const key = roleKey('ClusterRole', name, '');
    const entry = indexes.map((i) => i.get(key)).find((e) => e !== undefined);
    let result: AggregatedRules | undefined;
    if (entry?.aggregation) {
      known ??= clusterRoles(indexes);
      const self = known.find((k) => k.name === name)!;
      result = resolveAggregation(self, known);
      const current = result.invalid ? undefined : live?.('ClusterRole', name, '');
      if (current) result = { ...result, rules: union(current, result.rules), complete: true };
    }
    memo.set(name, result);
    return result;
  };
}

function union(a: readonly PolicyRule[], b: readonly PolicyRule[]): PolicyRule[] {
  const key = (r: PolicyRule): string => JSON.stringify(r);
  const seen = new Set(a.map(key));
  return [...a, ...b.filter((r) => !seen.has(key(r)))];
}

/** Rules by role; an aggregated ClusterRole resolves over the index's ClusterRoles (or `aggregation` when given). */
export function resolverOf(index: RoleIndex, aggregation: AggregationResolver = aggregationResolver([index])): RoleResolver {
  return (kind, name, namespace) => {
    const e = index.get(roleKey(kind, name, namespace));
    if (!e) return undefined;
    return e.aggregation ? (aggregation(name)?.rules ?? []) : e.rules;
  };
}

/** The first resolver that knows the role answers. */
export function firstOf(...resolvers: (RoleResolver | undefined)[]): RoleResolver {
  return (kind, name, ns) => {
    for (const r of resolvers) {
      const rules = r?.(kind, name, ns);
      if (rules) return rules;
    }
    return undefined;
  };
}
