/**
 * ClusterRole aggregation as kube-controller-manager's clusterrole-aggregation controller does it
 * (pkg/controller/clusterroleaggregation): an aggregated ClusterRole's rules are the rules of every other ClusterRole
 * matching one of its selectors, in name order, duplicates dropped. A live cluster already holds the result; the
 * workspace's own files do not, so reach fills it in. Aggregated roles may select aggregated roles: repeated until
 * nothing changes (bounded by the number of ClusterRoles, as each round settles at least one more level).
 */
import type { PolicyRule } from '../engine/model';
import type { LabelSelector, UniverseRole } from './types';

export function selectorMatches(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An invalid operator makes LabelSelectorAsSelector fail: the controller then aggregates nothing for it.
        return false;
    }
  }
  return true;
}

const ruleKey = (r: PolicyRule): string => JSON.stringify([r.verbs, r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []]);

/** Returns the ClusterRoles with aggregated rules filled in; other roles are returned as they are. */
export function resolveAggregation(roles: readonly UniverseRole[]): UniverseRole[] {
  const cluster = roles.filter((r) => r.kind === 'ClusterRole').sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const aggregated = cluster.filter((r) => r.aggregationSelectors !== undefined);
  if (aggregated.length === 0) return [...roles];
  const current = new Map<string, PolicyRule[]>(cluster.map((r) => [r.name, r.rules]));
  for (let round = 0; round <= aggregated.length; round++) {
    let changed = false;
    for (const role of aggregated) {
      const rules: PolicyRule[] = [];
      const seen = new Set<string>();
      for (const other of cluster) {
        if (other.name === role.name) continue;
        if (!role.aggregationSelectors!.some((s) => selectorMatches(s, other.labels))) continue;
        for (const rule of current.get(other.name) ?? []) {
          const key = ruleKey(rule);
          if (!seen.has(key)) {
            seen.add(key);
            rules.push(rule);
          }
        }
      }
      const before = current.get(role.name) ?? [];
      if (before.length !== rules.length || before.some((r, i) => ruleKey(r) !== ruleKey(rules[i]!))) {
        current.set(role.name, rules);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return roles.map((r) => (r.kind === 'ClusterRole' && r.aggregationSelectors !== undefined ? { ...r, rules: current.get(r.name) ?? [] } : r));
}
