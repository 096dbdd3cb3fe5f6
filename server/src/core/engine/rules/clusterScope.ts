/**
 * The cluster-scope message of a ClusterRoleBinding, with the advice that works for its role: "use a RoleBinding"
 * only when the ClusterRole grants namespaced resources alone. Cluster-scoped resources (nodes, namespaces,
 * persistentvolumes...) and non-resource URLs can only be granted by a ClusterRoleBinding.
 */
import { builtinCatalog, type ApiCatalog } from '../catalog/apiCatalog';
import type { Finding, PolicyRule, RbacObject } from '../model';
import type { AggregatedRules } from '../rbac/aggregate';
import type { AggregationResolver, RoleResolver } from '../roleIndex';
import { defaultSeverity } from './catalog';

export interface BindingContext {
  /** Roles known from the same file, the workspace or the cluster. */
  resolveRole?: RoleResolver;
  /** What is known of an aggregated ClusterRole's rules (same file, workspace, cluster). */
  aggregation?: AggregationResolver;
  /** Which resources are cluster-scoped (live discovery, else the built-in catalog). */
  catalog?: ApiCatalog;
}

/** What of the rules only a ClusterRoleBinding can grant; `unknown` when some resource's scope is unknown (a CRD's). */
export function clusterScopedParts(rules: readonly PolicyRule[], catalog: ApiCatalog): { parts: string[]; namespaced: boolean; unknown: boolean } {
  const parts = new Set<string>();
  let namespaced = false;
  let unknown = false;
  for (const r of rules) {
    if (r.nonResourceURLs?.length) r.nonResourceURLs.forEach((u) => parts.add(u));
    for (const res of r.resources ?? []) {
      if (res === '*' || res.startsWith('*/')) {
        parts.add(res);
        namespaced = true;
        continue;
      }
      const groups = (r.apiGroups ?? []).includes('*') ? catalog.groupNames() : (r.apiGroups ?? []);
      const found = groups.map((g) => catalog.findResource(g, res)).filter((x) => x !== undefined);
      if (!found.length) {
        unknown = true;
        continue;
      }
      if (found.some((x) => !x.namespaced)) parts.add(res);
      if (found.some((x) => x.namespaced)) namespaced = true;
    }
  }
  return { parts: [...parts], namespaced, unknown };
}

export function clusterScopeMessage(obj: RbacObject, context: BindingContext): Pick<Finding, 'severity' | 'message'> {
  const ref = obj.roleRef;
  const head = `ClusterRoleBinding "${obj.name}" grants ${ref ? `${ref.kind} "${ref.name}"` : 'its role'} in every namespace and on cluster-scoped resources`;
  const severity = defaultSeverity('cluster-scope');
  const aggregated = ref?.kind === 'ClusterRole' ? context.aggregation?.(ref.name) : undefined;
  const rules = aggregated?.rules ?? (ref?.kind === 'ClusterRole' ? context.resolveRole?.('ClusterRole', ref.name, '') : undefined);
  const scope = rules ? clusterScopedParts(rules, context.catalog ?? builtinCatalog()) : undefined;
  // An aggregated role's rules are those of ClusterRoles not all known here: advise only on what is known to be there.
  const partial = aggregated && !aggregated.complete ? aggregationNote(aggregated) : '';
  if (scope && !scope.parts.length && partial) {
    return { severity, message: `${head}${partial}, so whether a RoleBinding would do is unknown` };
  }
  if (!scope || (!scope.parts.length && scope.unknown)) {
    return { severity, message: `${head}; if the role needs only namespaced resources, a RoleBinding in the pipeline's namespace grants them there alone` };
  }
  if (!scope.parts.length) return { severity, message: `${head}; its rules are all namespaced: use a RoleBinding in the pipeline's namespace` };
  const shown = scope.parts.length > 4 ? `${scope.parts.slice(0, 4).join(', ')}...` : scope.parts.join(', ');
  const split = scope.namespaced || scope.unknown ? '; its namespaced rules could move to a Role bound in the pipeline\'s namespace' : '';
  return { severity, message: `${head}; some of its grants (${shown}) are cluster-scoped or non-resource URLs, which only a ClusterRoleBinding can grant${split}${partial}` };
}

function aggregationNote(a: AggregatedRules): string {
  if (a.invalid) return `; its aggregationRule is invalid (${a.invalid}), so what it grants is unknown`;
  const shown = a.from.length > 4 ? `${a.from.slice(0, 4).join(', ')}...` : a.from.join(', ');
  const known = a.from.length ? `the rules of ${shown}` : 'no ClusterRole known here';
  return `; it aggregates ${known}, and other ClusterRoles of the cluster may match its selectors`;
}
