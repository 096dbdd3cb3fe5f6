import type { PolicyRule, RbacObject } from './model';

export type RoleResolver = (kind: 'Role' | 'ClusterRole', name: string, namespace: string) => PolicyRule[] | undefined;

/** Roles by "Role/<namespace>/<name>" and "ClusterRole//<name>": plain data, so it crosses worker threads. */
export type RoleIndex = Map<string, PolicyRule[]>;

export function roleKey(kind: 'Role' | 'ClusterRole', name: string, namespace: string): string {
  return kind === 'Role' ? `Role/${namespace}/${name}` : `ClusterRole//${name}`;
}

/** The Roles and ClusterRoles among objects (a Role without namespace lands in defaultNamespace). */
export function indexRoles(objects: Iterable<RbacObject>, defaultNamespace: string, into: RoleIndex = new Map()): RoleIndex {
  for (const o of objects) {
    if (o.kind === 'Role') into.set(roleKey('Role', o.name, o.namespace ?? defaultNamespace), o.rules.map((r) => r.rule));
    else if (o.kind === 'ClusterRole') into.set(roleKey('ClusterRole', o.name, ''), o.rules.map((r) => r.rule));
  }
  return into;
}

export function resolverOf(index: RoleIndex): RoleResolver {
  return (kind, name, namespace) => index.get(roleKey(kind, name, namespace));
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
