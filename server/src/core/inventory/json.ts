/**
 * The model as the CLI prints it with `--format json`: the same tree, with each Role/ClusterRole written once under
 * `roles` and referenced from its bindings by key (a ClusterRole like `view` bound 5,000 times would otherwise be
 * printed 5,000 times). Holds no token data, as the model holds none.
 */
import type { BindingNode, IdentitiesModel, IdentityNode, NamespaceNode, RoleNode } from './types';

export interface RoleRefJson {
  /** Key into IdentitiesJson.roles: "Role/<namespace>/<name>" or "ClusterRole/<name>". */
  key: string;
  kind: RoleNode['kind'];
  name: string;
  namespace?: string;
  state: RoleNode['state'];
}

export type BindingJson = Omit<BindingNode, 'role'> & { role: RoleRefJson };
export type IdentityJson = Omit<IdentityNode, 'bindings'> & { bindings: BindingJson[] };
export type NamespaceJson = Omit<NamespaceNode, 'identities'> & { identities: IdentityJson[] };

export interface IdentitiesJson extends Omit<IdentitiesModel, 'namespaces' | 'cluster'> {
  namespaces: NamespaceJson[];
  cluster: IdentityJson[];
  /** Every role a shown binding references, by key. */
  roles: Record<string, RoleNode>;
}

export function roleKey(r: Pick<RoleNode, 'kind' | 'name' | 'namespace'>): string {
  return r.kind === 'ClusterRole' ? `ClusterRole/${r.name}` : `Role/${r.namespace ?? ''}/${r.name}`;
}

export function toJsonModel(model: IdentitiesModel): IdentitiesJson {
  const roles: Record<string, RoleNode> = {};
  const identity = (i: IdentityNode): IdentityJson => ({
    ...i,
    bindings: i.bindings.map((b): BindingJson => {
      const key = roleKey(b.role);
      roles[key] ??= b.role;
      return { ...b, role: { key, kind: b.role.kind, name: b.role.name, ...(b.role.namespace ? { namespace: b.role.namespace } : {}), state: b.role.state } };
    }),
  });
  const namespaces = model.namespaces.map((n): NamespaceJson => ({ ...n, identities: n.identities.map(identity) }));
  const cluster = model.cluster.map(identity);
  return { ...model, namespaces, cluster, roles };
}
