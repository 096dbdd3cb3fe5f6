/** A small language for reach universes in tests: "ns/name" ServiceAccounts, rules as tuples, bindings to subjects. */
import type { PolicyRule } from '../../../server/src/core/engine/model';
import type { Identity, Universe, UniverseBinding, UniverseRole, UniverseSubject } from '../../../server/src/core/reach';
import { ReachGraph } from '../../../server/src/core/reach';

export const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources };

export const sa = (ref: string): Identity => {
  const [namespace, name] = ref.split('/') as [string, string];
  return { kind: 'ServiceAccount', namespace, name };
};

export const saSubject = (ref: string): UniverseSubject => {
  const [namespace, name] = ref.split('/') as [string, string];
  return { kind: 'ServiceAccount', namespace, name };
};

export interface Spec {
  sas?: string[];
  /** "ns/secret-name" -> "sa-name" */
  tokenSecrets?: Record<string, string>;
  roles?: UniverseRole[];
  bindings?: UniverseBinding[];
  pods?: { namespace: string; name: string; serviceAccount: string; node?: string }[];
  podNamespaces?: string[];
  podsEverywhere?: boolean;
  notVisible?: string[];
}

export function universe(spec: Spec): Universe {
  return {
    namespaces: [...new Set((spec.sas ?? []).map((s) => s.split('/')[0]!))],
    serviceAccounts: (spec.sas ?? []).map((s) => {
      const [namespace, name] = s.split('/') as [string, string];
      return { namespace, name };
    }),
    tokenSecrets: Object.entries(spec.tokenSecrets ?? {}).map(([ref, serviceAccount]) => {
      const [namespace, name] = ref.split('/') as [string, string];
      return { namespace, name, serviceAccount };
    }),
    ...(spec.pods ? { pods: spec.pods } : {}),
    ...(spec.podNamespaces ? { podNamespaces: spec.podNamespaces } : {}),
    ...(spec.podsEverywhere ? { podsEverywhere: true } : {}),
    roles: spec.roles ?? [],
    bindings: spec.bindings ?? [],
    notVisible: spec.notVisible ?? [],
  };
}

export const role = (ref: string, ...rules: PolicyRule[]): UniverseRole => {
  const [namespace, name] = ref.split('/') as [string, string];
  return { kind: 'Role', namespace, name, rules };
};
export const clusterRole = (name: string, ...rules: PolicyRule[]): UniverseRole => ({ kind: 'ClusterRole', name, rules });

export const roleBinding = (ref: string, roleRef: { kind: string; name: string }, ...subjects: UniverseSubject[]): UniverseBinding => {
  const [namespace, name] = ref.split('/') as [string, string];
  return { kind: 'RoleBinding', namespace, name, roleRef, subjects };
};
export const clusterRoleBinding = (name: string, roleRef: { kind: string; name: string }, ...subjects: UniverseSubject[]): UniverseBinding => ({ kind: 'ClusterRoleBinding', name, roleRef, subjects });

/** A pipeline SA `ns/name` bound (RoleBinding `ns/name-rb`) to a Role `ns/name-role` with `rules`, plus `extra` universe. */
export function pipeline(ref: string, rules: PolicyRule[], extra: Spec = {}): { graph: ReachGraph; subject: Identity } {
  const [ns, name] = ref.split('/') as [string, string];
  const u = universe({
    ...extra,
    sas: [ref, ...(extra.sas ?? [])],
    roles: [role(`${ns}/${name}-role`, ...rules), ...(extra.roles ?? [])],
    bindings: [roleBinding(`${ns}/${name}-rb`, { kind: 'Role', name: `${name}-role` }, saSubject(ref)), ...(extra.bindings ?? [])],
  });
  return { graph: new ReachGraph(u), subject: sa(ref) };
}

/** The reached identities' keys, sorted. */
export function reachedKeys(graph: ReachGraph, subject: Identity): string[] {
  return graph
    .outbound(subject)
    .map((r) => keyOf(r.identity))
    .sort();
}

import { identityKey } from '../../../server/src/core/reach';
export const keyOf = identityKey;
