/** Identity keys, display names, and who an identity is to the RBAC authorizer (user name and groups). */
import type { Identity } from './types';

export const AUTHENTICATED = 'system:authenticated';
export const MASTERS = 'system:masters';
export const SA_PREFIX = 'system:serviceaccount:';

export function saUsername(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

/** `system:serviceaccount:NS:NAME` -> [NS, NAME], as serviceaccount.SplitUsername reads it. */
export function splitSaUsername(user: string): [string, string] | undefined {
  if (!user.startsWith(SA_PREFIX)) return undefined;
  const parts = user.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return [parts[0], parts[1]];
}

/** A stable key, also the subject string of the JSON. */
export function identityKey(id: Identity): string {
  switch (id.kind) {
    case 'ServiceAccount':
      return `ServiceAccount ${id.namespace}/${id.name}`;
    case 'User':
      return id.groups?.length ? `User ${id.name} (groups ${id.groups.join(', ')})` : `User ${id.name}`;
    case 'Group':
      return `Group ${id.name}`;
    case 'RoleHolder':
      return id.roleKind === 'Role'
        ? `holder of Role ${id.namespace}/${id.name}`
        : id.namespace === undefined
          ? `holder of ClusterRole ${id.name} (cluster-wide)`
          : `holder of ClusterRole ${id.name} in ${id.namespace}`;
    case 'AnythingIn':
      return `any permission in namespace ${id.namespace}`;
    case 'ClusterAdmin':
      return 'cluster-admin equivalent';
  }
}

/** The user name and groups the authorizer sees; undefined for the synthetic identities. */
export function userInfo(id: Identity): { user?: string; groups: string[] } {
  switch (id.kind) {
    case 'ServiceAccount':
      return { user: saUsername(id.namespace, id.name), groups: ['system:serviceaccounts', `system:serviceaccounts:${id.namespace}`, AUTHENTICATED] };
    case 'User':
      return { user: id.name, groups: [...new Set([...(id.groups ?? []), AUTHENTICATED])] };
    case 'Group':
      return { groups: [...new Set([id.name, AUTHENTICATED])] };
    default:
      // Whoever holds a Role is authenticated; everything else about them is unknown.
      return { groups: [AUTHENTICATED] };
  }
}
