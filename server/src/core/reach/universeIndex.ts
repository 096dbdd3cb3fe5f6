/** The universe indexed once for every identity's steps: by namespace, by node, by subject. */
import { aggregateRoles } from './aggregate';
import { BindingIndex } from './grants';
import type { Universe, UniversePod } from './types';

export interface UniverseIndex {
  universe: Universe;
  namespaces: string[];
  serviceAccounts: Map<string, string[]>;
  tokenSecrets: Map<string, { name: string; serviceAccount: string }[]>;
  /** Pods of the namespaces where they were listed (a namespace absent here: pods unknown). */
  pods: Map<string, UniversePod[]>;
  podsKnown: (namespace: string) => boolean;
  bindings: BindingIndex;
}

export function indexUniverse(universe: Universe): UniverseIndex {
  const namespaces = new Set(universe.namespaces);
  const serviceAccounts = new Map<string, string[]>();
  for (const sa of universe.serviceAccounts) {
    namespaces.add(sa.namespace);
    const list = serviceAccounts.get(sa.namespace);
    if (list) {
      if (!list.includes(sa.name)) list.push(sa.name);
    } else serviceAccounts.set(sa.namespace, [sa.name]);
  }
  const tokenSecrets = new Map<string, { name: string; serviceAccount: string }[]>();
  for (const s of universe.tokenSecrets) {
    namespaces.add(s.namespace);
    const list = tokenSecrets.get(s.namespace) ?? [];
    list.push({ name: s.name, serviceAccount: s.serviceAccount });
    tokenSecrets.set(s.namespace, list);
  }
  const known = new Set(universe.podNamespaces ?? []);
  const pods = new Map<string, UniversePod[]>();
  for (const ns of known) pods.set(ns, []);
  for (const p of universe.pods ?? []) {
    if (!universe.podsEverywhere && !known.has(p.namespace)) continue;
    const list = pods.get(p.namespace) ?? [];
    list.push(p);
    pods.set(p.namespace, list);
  }
  for (const b of universe.bindings) if (b.namespace) namespaces.add(b.namespace);
  return {
    universe,
    namespaces: [...namespaces].sort(),
    serviceAccounts,
    tokenSecrets,
    pods,
    podsKnown: (ns) => universe.podsEverywhere === true || known.has(ns),
    bindings: new BindingIndex(aggregateRoles(universe.roles), universe.bindings),
  };
}
