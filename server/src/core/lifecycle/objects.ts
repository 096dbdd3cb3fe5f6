// The Kubernetes objects of a pipeline identity, as plain data. Used both to apply them and to
// write them as manifests for GitOps, so both paths produce the same objects.
import type { V1Role, V1RoleBinding, V1Secret, V1ServiceAccount } from '@kubernetes/client-node';
import type { PolicyRule } from '../engine/model';
import { IDENTITY_LABEL, MANAGED_BY, MANAGED_BY_LABEL, OWNER_LABEL, RBAC_GROUP } from './types';

export function ownedLabels(serviceAccount: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [OWNER_LABEL]: serviceAccount };
}

export function serviceAccountObject(namespace: string, name: string, annotations: Record<string, string>): V1ServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name,
      namespace,
      labels: { [IDENTITY_LABEL]: 'true', [MANAGED_BY_LABEL]: MANAGED_BY },
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    // Pipelines run outside the cluster; no pod should mount this identity by accident.
    automountServiceAccountToken: false,
  };
}

export interface RoleSpec {
  readonly name: string;
  readonly rules: readonly PolicyRule[];
  /** Labels/annotations the Role file carried; kept, ours added on top. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export function roleObject(namespace: string, serviceAccount: string, spec: RoleSpec): V1Role {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'Role',
    metadata: {
      name: spec.name,
      namespace,
      labels: { ...(spec.labels ?? {}), ...ownedLabels(serviceAccount) },
      ...(spec.annotations && Object.keys(spec.annotations).length ? { annotations: { ...spec.annotations } } : {}),
    },
    rules: spec.rules.map(cleanRule),
  };
}

export function roleBindingObject(namespace: string, serviceAccount: string, roleName: string, bindingName = serviceAccount): V1RoleBinding {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'RoleBinding',
    metadata: { name: bindingName, namespace, labels: ownedLabels(serviceAccount) },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: roleName },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  };
}

/**
 * The Secret a TokenRequest is bound to: deleting it revokes the token. Owned by the ServiceAccount so the
 * garbage collector removes it with the ServiceAccount even if a run is interrupted.
 */
export function boundSecretObject(namespace: string, serviceAccount: string, name: string, saUid: string | undefined): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name,
      namespace,
      labels: ownedLabels(serviceAccount),
      annotations: { 'pipeline-rbac.io/purpose': 'Deleting this Secret revokes the pipeline token bound to it.' },
      ...(saUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: serviceAccount, uid: saUid }] } : {}),
    },
  };
}

/** The long-lived token Secret of the seeds (the tokens controller fills it). Not listed in the SA's `.secrets`; owned by the SA. */
export function legacyTokenSecretObject(namespace: string, serviceAccount: string, name: string, saUid?: string): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/service-account-token',
    metadata: {
      name,
      namespace,
      labels: ownedLabels(serviceAccount),
      annotations: { 'kubernetes.io/service-account.name': serviceAccount },
      ...(saUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: serviceAccount, uid: saUid }] } : {}),
    },
  };
}

/** A rule with only the fields that are set, in the apiserver's order. */
export function cleanRule(r: PolicyRule): PolicyRule {
  return {
    ...(r.apiGroups ? { apiGroups: [...r.apiGroups] } : {}),
    ...(r.resources ? { resources: [...r.resources] } : {}),
    ...(r.resourceNames?.length ? { resourceNames: [...r.resourceNames] } : {}),
    ...(r.nonResourceURLs ? { nonResourceURLs: [...r.nonResourceURLs] } : {}),
    verbs: [...r.verbs],
  };
}

/** Random suffix like the apiserver's generateName (no vowels, so no words). */
export function randomSuffix(length = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

export function tokenSecretName(serviceAccount: string): string {
  return `${serviceAccount}-token-${randomSuffix()}`;
}
