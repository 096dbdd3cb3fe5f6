/**
 * What an identity holds, with where each right comes from (rule, role, binding), and the authorizer's exact match of
 * one request against it (the engine's port of RuleAllows). RoleBindings give their role's rules in their namespace
 * (a ClusterRole too); ClusterRoleBindings everywhere, cluster-scoped requests included.
 */
import { formatRule } from '../engine/rbac/covers';
import { apiGroupMatches, resourceMatches, ruleAllows, verbMatches, type ResourceRequest } from '../engine/rbac/evaluate';
import type { PolicyRule } from '../engine/model';
import { AUTHENTICATED, splitSaUsername, userInfo } from './identity';
import type { Identity, UniverseBinding, UniverseRole } from './types';

export interface Grant {
  /** '' = cluster-wide (ClusterRoleBinding, or a synthetic identity's cluster-wide rights); else the namespace. */
  scope: string;
  rules: readonly PolicyRule[];
  /** "ClusterRole edit", "Role team-a/deployer". */
  role: string;
  roleKind: 'Role' | 'ClusterRole';
  roleName: string;
  /** "RoleBinding team-a/ci", "ClusterRoleBinding x", or how a synthetic identity holds it. */
  binding: string;
}

export interface Match {
  grant: Grant;
  ruleIndex: number;
}

export function roleLabel(r: { kind: string; name: string; namespace?: string }): string {
  return r.kind === 'Role' ? `Role ${r.namespace}/${r.name}` : `ClusterRole ${r.name}`;
}

export function bindingLabel(b: { kind: string; name: string; namespace?: string }): string {
  return b.kind === 'RoleBinding' ? `RoleBinding ${b.namespace}/${b.name}` : `ClusterRoleBinding ${b.name}`;
}

export function matchText(m: Match): string {
  return `${m.grant.role} rules[${m.ruleIndex}] ${formatRule(m.grant.rules[m.ruleIndex]!)}`;
}

/** Bindings indexed by the subject they name, so an identity's grants cost its own bindings only. */
export class BindingIndex {
  private readonly byUser = new Map<string, UniverseBinding[]>();
  private readonly byGroup = new Map<string, UniverseBinding[]>();
  private readonly roles = new Map<string, UniverseRole>();
  readonly users = new Set<string>();
  readonly groups = new Set<string>();

  constructor(roles: readonly UniverseRole[], bindings: readonly UniverseBinding[]) {
    for (const r of roles) this.roles.set(roleKey(r.kind, r.name, r.namespace), r);
    for (const b of bindings) {
      for (const s of b.subjects) {
        if (s.kind === 'User') {
          push(this.byUser, s.name, b);
          if (!splitSaUsername(s.name)) this.users.add(s.name);
        } else if (s.kind === 'Group') {
          push(this.byGroup, s.name, b);
          this.groups.add(s.name);
        } else if (s.kind === 'ServiceAccount') {
          // appliesToUser: an unqualified ServiceAccount subject means the binding's namespace; none on a ClusterRoleBinding matches nobody.
          const ns = s.namespace || b.namespace;
          if (ns) push(this.byUser, `system:serviceaccount:${ns}:${s.name}`, b);
        }
      }
    }
  }

  role(kind: 'Role' | 'ClusterRole', name: string, namespace?: string): UniverseRole | undefined {
    return this.roles.get(roleKey(kind, name, namespace));
  }

  allRoles(): IterableIterator<UniverseRole> {
    return this.roles.values();
  }

  /** Grants of an identity: its bindings' roles, and for the synthetic identities the rights they stand for. */
  grantsOf(id: Identity): Grant[] {
    const grants: Grant[] = [];
    const seen = new Set<UniverseBinding>();
    const add = (b: UniverseBinding): void => {
      if (seen.has(b)) return;
      seen.add(b);
      const kind = b.roleRef.kind === 'Role' ? 'Role' : b.roleRef.kind === 'ClusterRole' ? 'ClusterRole' : undefined;
      if (!kind || (kind === 'Role' && b.kind !== 'RoleBinding')) return;
      const role = this.role(kind, b.roleRef.name, kind === 'Role' ? b.namespace : undefined);
      if (!role) return;
      grants.push({ scope: b.kind === 'RoleBinding' ? (b.namespace ?? '') : '', rules: role.rules, role: roleLabel(role), roleKind: kind, roleName: role.name, binding: bindingLabel(b) });
    };
    const who = userInfo(id);
    if (who.user !== undefined) for (const b of this.byUser.get(who.user) ?? []) add(b);
    for (const g of who.groups) for (const b of this.byGroup.get(g) ?? []) add(b);
    if (id.kind === 'RoleHolder') {
      const role = this.role(id.roleKind, id.name, id.roleKind === 'Role' ? id.namespace : undefined);
      const scope = id.roleKind === 'Role' ? (id.namespace ?? '') : (id.namespace ?? '');
      if (role) grants.push({ scope, rules: role.rules, role: roleLabel(role), roleKind: id.roleKind, roleName: id.name, binding: scope ? `bound in ${scope}` : 'bound cluster-wide' });
    } else if (id.kind === 'AnythingIn') {
      grants.push({ scope: id.namespace, rules: [ALL_RULE], role: `any Role in ${id.namespace}`, roleKind: 'Role', roleName: '*', binding: `bound in ${id.namespace}` });
    } else if (id.kind === 'ClusterAdmin') {
      grants.push({ scope: '', rules: [ALL_RULE, { verbs: ['*'], nonResourceURLs: ['*'] }], role: 'ClusterRole cluster-admin (equivalent)', roleKind: 'ClusterRole', roleName: '*', binding: 'cluster-wide' });
    }
    return grants;
  }
}

export const ALL_RULE: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
export { AUTHENTICATED };

function roleKey(kind: string, name: string, namespace?: string): string {
  return kind === 'Role' ? `Role/${namespace ?? ''}/${name}` : `ClusterRole//${name}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The first rule that allows `req` in `namespace` ('' = a cluster-scoped request: cluster-wide grants only). */
export function allows(grants: readonly Grant[], req: ResourceRequest, namespace: string): Match | undefined {
  for (const grant of grants) {
    if (grant.scope !== '' && grant.scope !== namespace) continue;
    const i = grant.rules.findIndex((r) => ruleAllows(r, req));
    if (i >= 0) return { grant, ruleIndex: i };
  }
  return undefined;
}

/** Like allows, for a request on some object whose name the caller picks: a rule with resourceNames counts too. */
export function allowsSomeName(grants: readonly Grant[], req: Omit<ResourceRequest, 'name'>, namespace: string): Match | undefined {
  const sub = req.subresource ?? '';
  const combined = sub ? `${req.resource}/${sub}` : req.resource;
  for (const grant of grants) {
    if (grant.scope !== '' && grant.scope !== namespace) continue;
    const i = grant.rules.findIndex((r) => verbMatches(r, req.verb) && apiGroupMatches(r, req.apiGroup) && resourceMatches(r, combined, sub));
    if (i >= 0) return { grant, ruleIndex: i };
  }
  return undefined;
}

/**
 * The namespaces (of `all`) where `test` allows something: every namespace when a cluster-wide grant does, else the
 * namespaces of the namespaced grants. Keeps the per-identity cost at its own bindings, not the cluster's size.
 */
export function candidateNamespaces(grants: readonly Grant[], all: readonly string[], resources: readonly (readonly [string, string])[]): readonly string[] {
  // Only grants with a rule on one of the step's resources count (everyone holds system:basic-user cluster-wide).
  const relevant = grants.filter((g) => g.rules.some((r) => resources.some(([group, res]) => apiGroupMatches(r, group) && resourceMatches(r, res, res.includes('/') ? res.slice(res.indexOf('/') + 1) : ''))));
  if (relevant.some((g) => g.scope === '')) return all;
  return [...new Set(relevant.map((g) => g.scope))].filter((ns) => ns !== '');
}
