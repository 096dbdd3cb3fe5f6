// What `up` seeds into the test cluster. Shared by the seeding code (cluster.mjs) and the
// TypeScript harness (through seed.d.mts) so tests and helpers agree on one definition.

export const NAMESPACES = ['team-a', 'team-b'];

/** The users of the token file; only `admin` holds a group beyond system:authenticated. */
export const USERS = [
  { name: 'admin', groups: ['system:masters'] },
  { name: 'developer', groups: [] },
  { name: 'viewer', groups: [] },
];

const MANAGE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Rules of the Role `developer` in team-a (bound to user developer). Nothing cluster-wide. */
export const DEVELOPER_RULES = [
  { apiGroups: [''], resources: ['serviceaccounts', 'serviceaccounts/token', 'services', 'configmaps'], verbs: MANAGE },
  // Write-only secrets: a pipeline may create/delete them but never read them back.
  { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete'] },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: MANAGE },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: MANAGE },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: MANAGE },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: MANAGE },
];

const RBAC = 'rbac.authorization.k8s.io';

/** Objects created by admin after /readyz, in order. */
export function seedObjects() {
  return [
    ...NAMESPACES.map((name) => ({
      path: '/api/v1/namespaces',
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    })),
    {
      path: '/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles',
      body: { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'developer', namespace: 'team-a' }, rules: DEVELOPER_RULES },
    },
    {
      path: '/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings',
      body: {
        apiVersion: `${RBAC}/v1`,
        kind: 'RoleBinding',
        metadata: { name: 'developer', namespace: 'team-a' },
        roleRef: { apiGroup: RBAC, kind: 'Role', name: 'developer' },
        subjects: [{ apiGroup: RBAC, kind: 'User', name: 'developer' }],
      },
    },
    {
      path: '/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings',
      body: {
        apiVersion: `${RBAC}/v1`,
        kind: 'RoleBinding',
        metadata: { name: 'viewer', namespace: 'team-a' },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
        subjects: [{ apiGroup: RBAC, kind: 'User', name: 'viewer' }],
      },
    },
  ];
}
