/**
 * Aggregated ClusterRoles of the universe, filled in with the engine's resolver (the clusterrole-aggregation
 * controller's semantics). A live cluster's ClusterRoles already hold the result; the workspace's files do not.
 */
import { resolveAggregation, type KnownClusterRole } from '../engine/rbac/aggregate';
import type { UniverseRole } from './types';

export function aggregateRoles(roles: readonly UniverseRole[]): UniverseRole[] {
  if (!roles.some((r) => r.aggregationSelectors !== undefined)) return [...roles];
  const known: KnownClusterRole[] = roles
    .filter((r) => r.kind === 'ClusterRole')
    .map((r) => ({ name: r.name, labels: r.labels ?? {}, rules: r.rules, ...(r.aggregationSelectors ? { aggregation: { selectors: r.aggregationSelectors } } : {}) }));
  const byName = new Map(known.map((k) => [k.name, k]));
  return roles.map((r) => (r.kind === 'ClusterRole' && r.aggregationSelectors !== undefined ? { ...r, rules: resolveAggregation(byName.get(r.name)!, known, true).rules } : r));
}
