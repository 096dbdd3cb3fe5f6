/**
 * Resources and verbs the authorizer checks that API discovery does not list. Sources: the Kubernetes docs on
 * impersonation (users, groups, serviceaccounts, uids, userextras/<key>), certificate signers (signers: approve, sign,
 * attest), RBAC escalation prevention (bind and escalate on roles/clusterroles), and kubelet authorization
 * (nodes/stats, nodes/metrics, nodes/log, nodes/spec, nodes/checkpoint, nodes/pods, nodes/configz, nodes/healthz).
 */

export interface VirtualResource {
  group: string;
  name: string;
  verbs: string[];
  kind?: string;
  namespaced?: boolean;
  anySubresource?: boolean;
}

/** How the kubelet maps HTTP methods of its API to verbs. */
const KUBELET_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const VIRTUAL_RESOURCES: readonly VirtualResource[] = [
  { group: '', name: 'users', verbs: ['impersonate'] },
  { group: '', name: 'groups', verbs: ['impersonate'] },
  { group: '', name: 'serviceaccounts', verbs: ['impersonate'], kind: 'ServiceAccount', namespaced: true },
  { group: 'authentication.k8s.io', name: 'uids', verbs: ['impersonate'] },
  { group: 'authentication.k8s.io', name: 'userextras', verbs: ['impersonate'], anySubresource: true },
  { group: 'certificates.k8s.io', name: 'signers', verbs: ['approve', 'attest', 'sign'] },
  { group: 'rbac.authorization.k8s.io', name: 'roles', verbs: ['bind', 'escalate'], kind: 'Role', namespaced: true },
  { group: 'rbac.authorization.k8s.io', name: 'clusterroles', verbs: ['bind', 'escalate'], kind: 'ClusterRole' },
  ...['stats', 'metrics', 'log', 'spec', 'checkpoint', 'pods', 'configz', 'healthz'].map((s) => ({
    group: '',
    name: `nodes/${s}`,
    verbs: KUBELET_VERBS,
  })),
];

/**
 * Subresources every resource has for authorization, with the verbs checked on them: the OwnerReferencesPermission-
 * Enforcement admission plugin requires `update` on `<owner's resource>/finalizers` to set blockOwnerDeletion.
 */
export const ANY_RESOURCE_SUBRESOURCES: ReadonlyMap<string, readonly string[]> = new Map([['finalizers', ['update']]]);

/** Verbs the authorizer checks beyond discovery's, each only on the resources VIRTUAL_RESOURCES gives it. */
export const SPECIAL_VERBS: readonly string[] = ['escalate', 'bind', 'impersonate', 'approve', 'sign', 'attest', 'use'];
