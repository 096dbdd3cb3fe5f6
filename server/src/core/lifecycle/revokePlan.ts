// What a revoke deletes besides the token Secrets, and what still grants the ServiceAccount's name anything after
// it. Found by proof, never by the ServiceAccount's role/role-binding annotations (cluster text anyone who may edit
// ServiceAccounts can rewrite): a RoleBinding is this identity's when it carries our labels and binds nobody but
// this ServiceAccount (so deleting it takes nothing from anyone else); a Role when it carries our labels and no
// binding that stays refers to it. Every RoleBinding and ClusterRoleBinding that names the ServiceAccount is
// reported afterwards, whoever made it.
import type { RbacV1Subject, V1ClusterRoleBinding, V1RoleBinding } from '@kubernetes/client-node';
import { errorText } from '../engine/text/errorText';
import type { IdentityCluster } from './kube';
import { serviceAccountUsername } from './names';
import { MANAGED_BY, MANAGED_BY_LABEL, OWNER_LABEL, type ObjectRef } from './types';

export interface RbacRevokePlan {
  /** RoleBindings, then Roles, in the order they are deleted. */
  readonly targets: readonly ObjectRef[];
  /** Objects labelled as this identity's that are left alone, and why. */
  readonly kept: readonly string[];
}

function ours(labels: Readonly<Record<string, string>> | undefined, name: string): boolean {
  return labels?.[OWNER_LABEL] === name && labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
}

/** The subject is the ServiceAccount itself (by kind ServiceAccount, or by its username). */
function namesServiceAccount(s: RbacV1Subject, bindingNamespace: string | undefined, namespace: string, name: string): boolean {
  if (s.kind === 'ServiceAccount') return s.name === name && (s.namespace || bindingNamespace) === namespace;
  return s.kind === 'User' && s.name === serviceAccountUsername(namespace, name);
}

/** The groups every ServiceAccount of the namespace is in: a binding to one grants this name too, but not only it. */
function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

export async function planRbacRevoke(cluster: IdentityCluster, namespace: string, name: string): Promise<RbacRevokePlan> {
  const [bindings, roles] = await Promise.all([
    cluster.listRoleBindings(namespace, `${OWNER_LABEL}=${name}`),
    cluster.listRoles(namespace, `${OWNER_LABEL}=${name}`),
  ]);
  const targets: ObjectRef[] = [];
  const kept: string[] = [];
  const deleted = new Set<string>();
  const referenced = new Map<string, string>();
  for (const b of bindings) {
    const bName = b.metadata?.name ?? '';
    if (!ours(b.metadata?.labels, name)) continue;
    const subjects = b.subjects ?? [];
    const others = subjects.filter((s) => !namesServiceAccount(s, namespace, namespace, name));
    if (subjects.length && !others.length) {
      targets.push({ kind: 'RoleBinding', namespace, name: bName });
      deleted.add(bName);
      const ref = b.roleRef.kind === 'Role' ? `Role ${namespace}/${b.roleRef.name}` : `ClusterRole ${b.roleRef.name}`;
      referenced.set(ref, b.roleRef.name);
    } else {
      kept.push(`RoleBinding ${namespace}/${bName} (labelled as this identity's, but it also binds ${others.map((s) => `${s.kind} ${s.name}`).join(', ') || 'nobody'}; left alone)`);
    }
  }
  if (roles.some((r) => ours(r.metadata?.labels, name))) {
    // A Role that a staying binding refers to would break that binding: keep it and say which binding needs it.
    const all = await cluster.listRoleBindings(namespace);
    for (const r of roles) {
      const rName = r.metadata?.name ?? '';
      if (!ours(r.metadata?.labels, name)) continue;
      const users = all.filter((b) => b.roleRef.kind === 'Role' && b.roleRef.name === rName && !deleted.has(b.metadata?.name ?? ''));
      if (users.length) kept.push(`Role ${namespace}/${rName} (labelled as this identity's, but RoleBinding ${users.map((b) => b.metadata?.name).join(', ')} still refers to it; left alone)`);
      else targets.push({ kind: 'Role', namespace, name: rName });
    }
  }
  // The role a deleted binding granted stays when it is not this identity's own (an existing Role it was bound to).
  const ownRoles = new Set(roles.filter((r) => ours(r.metadata?.labels, name)).map((r) => `Role ${namespace}/${r.metadata?.name ?? ''}`));
  for (const ref of referenced.keys()) if (!ownRoles.has(ref)) kept.push(`${ref} (existing, not created by Pipeline RBAC)`);
  return { targets, kept };
}

export interface RemainingGrants {
  /** Bindings that name the ServiceAccount directly ("RoleBinding NS/NAME (ClusterRole edit)"): revoke is incomplete. */
  readonly direct: readonly string[];
  /** Bindings to a group every ServiceAccount of the namespace is in (not specific to this one). */
  readonly viaGroups: readonly string[];
  /** What could not be listed, so is not known to be clear. */
  readonly unchecked: readonly string[];
}

function describeBinding(kind: 'RoleBinding' | 'ClusterRoleBinding', b: V1RoleBinding | V1ClusterRoleBinding): string {
  const where = kind === 'RoleBinding' ? `${b.metadata?.namespace}/${b.metadata?.name}` : (b.metadata?.name ?? '');
  return `${kind} ${where} (${b.roleRef.kind} ${b.roleRef.name})`;
}

/** Every RoleBinding (all namespaces, else this one) and ClusterRoleBinding that still grants the name anything. */
export async function remainingGrants(cluster: IdentityCluster, namespace: string, name: string): Promise<RemainingGrants> {
  const direct: string[] = [];
  const viaGroups: string[] = [];
  const unchecked: string[] = [];
  const groups = serviceAccountGroups(namespace);
  const scan = (kind: 'RoleBinding' | 'ClusterRoleBinding', list: readonly (V1RoleBinding | V1ClusterRoleBinding)[]) => {
    for (const b of list) {
      const subjects = b.subjects ?? [];
      const bindingNs = kind === 'RoleBinding' ? b.metadata?.namespace : undefined;
      if (subjects.some((s) => namesServiceAccount(s, bindingNs, namespace, name))) direct.push(describeBinding(kind, b));
      else if (subjects.some((s) => s.kind === 'Group' && groups.includes(s.name))) viaGroups.push(describeBinding(kind, b));
    }
  };
  const tryList = async <T>(what: string, list: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await list();
    } catch (e) {
      unchecked.push(`${what} (${errorText(e)})`);
      return undefined;
    }
  };
  const everywhere = await tryList('RoleBindings of other namespaces', () => cluster.listRoleBindings(undefined));
  const roleBindings = everywhere ?? (await tryList(`RoleBindings of ${namespace}`, () => cluster.listRoleBindings(namespace)));
  if (roleBindings) scan('RoleBinding', roleBindings);
  const crbs = await tryList('ClusterRoleBindings', () => cluster.listClusterRoleBindings());
  if (crbs) scan('ClusterRoleBinding', crbs);
  return { direct, viaGroups, unchecked };
}
