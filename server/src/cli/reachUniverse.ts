/**
 * The reach universe from one inventory read (the identities view's Snapshot: cluster-wide lists where allowed, else
 * per namespace), and what that read could not see. Only legacy `kubernetes.io/service-account-token` Secrets hold a
 * token in their data; the metadata says whose.
 */
import type { Snapshot } from '../core/inventory/types';
import type { Universe } from '../core/reach';

const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
const NAMESPACED = ['serviceaccounts', 'secrets', 'rolebindings', 'roles'] as const;
const CLUSTER = ['clusterrolebindings', 'clusterroles'] as const;

export function universeFromSnapshot(s: Snapshot): Universe {
  const readable = new Set(s.readable);
  const can = (resource: string, ns: string): boolean => readable.has(`${resource}/*`) || readable.has(`${resource}/${ns}`);
  const why = (resource: string, ns?: string): string => {
    const p = s.problems.find((x) => x.resource === resource && x.namespace === ns) ?? s.problems.find((x) => x.resource === resource && x.namespace === undefined);
    return p ? p.kind : 'not listed';
  };
  const notVisible: string[] = [];
  if (!s.knownNamespaces) notVisible.push(`namespaces: ${why('namespaces')} (only namespaces named by readable objects are in the universe)`);
  for (const r of CLUSTER) if (!readable.has(`${r}/*`)) notVisible.push(`${r}: ${why(r)}`);
  for (const ns of s.namespaces) for (const r of NAMESPACED) if (!can(r, ns)) notVisible.push(`${r} in ${ns}: ${why(r, ns)}`);
  return {
    namespaces: [...s.namespaces],
    serviceAccounts: s.serviceAccounts.filter((x) => x.metadata.namespace).map((x) => ({ namespace: x.metadata.namespace!, name: x.metadata.name })),
    tokenSecrets: s.tokenSecrets
      .filter((x) => x.source === 'legacy-type' && x.metadata.namespace && x.metadata.annotations?.[SA_NAME_ANNOTATION])
      .map((x) => ({ namespace: x.metadata.namespace!, name: x.metadata.name, serviceAccount: x.metadata.annotations![SA_NAME_ANNOTATION]! })),
    roles: [...s.roles, ...s.clusterRoles].map((r) => ({
      kind: r.kind,
      name: r.metadata.name,
      ...(r.kind === 'Role' && r.metadata.namespace ? { namespace: r.metadata.namespace } : {}),
      // The aggregation controller has filled an aggregated ClusterRole's rules already.
      rules: r.rules ?? [],
      ...(r.metadata.labels ? { labels: r.metadata.labels } : {}),
    })),
    bindings: [...s.roleBindings, ...s.clusterRoleBindings].map((b) => ({
      kind: b.kind,
      name: b.metadata.name,
      ...(b.kind === 'RoleBinding' && b.metadata.namespace ? { namespace: b.metadata.namespace } : {}),
      roleRef: { kind: b.roleRef.kind, name: b.roleRef.name },
      subjects: (b.subjects ?? []).map((x) => ({ kind: x.kind, name: x.name, ...(x.namespace ? { namespace: x.namespace } : {}) })),
    })),
    notVisible,
  };
}
