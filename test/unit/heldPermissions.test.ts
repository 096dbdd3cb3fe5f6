/** HeldPermissions from Role/ClusterRole documents and SelfSubjectRulesReview objects. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  accessKey,
  bindAccessKey,
  escalateAccessKey,
  heldPermissionsFromDocuments,
  HeldPermissionsError,
  heldRulesFor,
  rulesFromRulesReviewStatus,
} from '../../server/src/core/engine/rbac/heldPermissions';

const docs = (text: string): unknown[] => parseAllDocuments(text).map((d) => d.toJS() as unknown);

const ROLES = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: base}
rules:
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deploy, namespace: ci}
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: nons}
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ignored, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deploy}
`;

const SSRR = `apiVersion: authorization.k8s.io/v1
kind: SelfSubjectRulesReview
spec:
  namespace: ci
status:
  incomplete: true
  resourceRules:
  - verbs: ["get", "list"]
    apiGroups: [""]
    resources: ["pods"]
  - verbs: ["update"]
    apiGroups: [""]
    resources: ["configmaps"]
    resourceNames: ["settings"]
  nonResourceRules:
  - verbs: ["get"]
    nonResourceURLs: ["/healthz", "/version"]
`;

describe('heldPermissionsFromDocuments', () => {
  test('Role/ClusterRole documents: cluster rules everywhere, roles in their namespace, complete', () => {
    const held = heldPermissionsFromDocuments(docs(ROLES), { source: 'file: held.yaml', defaultNamespace: 'team' });
    assert.equal(held.source, 'file: held.yaml');
    const namespaces = { verbs: ['get'], apiGroups: [''], resources: ['namespaces'] };
    assert.deepEqual(held.namespaces[''], { rules: [namespaces], incomplete: false });
    assert.deepEqual(held.namespaces.ci, { rules: [namespaces, { verbs: ['*'], apiGroups: ['apps'], resources: ['deployments'] }], incomplete: false });
    assert.deepEqual(held.namespaces.team?.rules[1], { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] });
    // A namespace with no Role still has the cluster-wide rules.
    assert.deepEqual(heldRulesFor(held, 'elsewhere'), { rules: [namespaces], incomplete: false });
  });

  test('a SelfSubjectRulesReview: its namespace only, incomplete kept, URLs kept', () => {
    const held = heldPermissionsFromDocuments(docs(SSRR), { source: 'file: ssrr.yaml' });
    assert.deepEqual(Object.keys(held.namespaces), ['ci']);
    assert.equal(held.namespaces.ci?.incomplete, true);
    assert.deepEqual(held.namespaces.ci?.rules, [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] },
      { verbs: ['get'], nonResourceURLs: ['/healthz', '/version'] },
    ]);
    assert.equal(heldRulesFor(held, ''), undefined, 'cluster-wide rules are unknown from a namespaced review');
    assert.equal(heldRulesFor(held, 'other'), undefined);
  });

  test('kind: List and typed lists without item kinds', () => {
    const list = { kind: 'List', items: docs(ROLES) };
    assert.equal(heldPermissionsFromDocuments([list], { source: 's' }).namespaces.ci?.rules.length, 2);
    const typed = { kind: 'ClusterRoleList', items: [{ metadata: { name: 'x' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }] };
    assert.deepEqual(heldPermissionsFromDocuments([typed], { source: 's' }).namespaces['']?.rules, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
  });

  test('user and system:masters', () => {
    const held = heldPermissionsFromDocuments(docs(ROLES), { source: 's', user: { username: 'kubernetes-admin', groups: ['system:masters'] } });
    assert.equal(held.superuser, true);
    assert.equal(heldPermissionsFromDocuments(docs(ROLES), { source: 's', user: { username: 'dev', groups: ['dev'] } }).superuser, undefined);
  });

  test('malformed input is an error naming the place', () => {
    assert.throws(() => heldPermissionsFromDocuments(docs('kind: Role\nrules:\n- verbs: get\n'), { source: 's' }), (e: unknown) => e instanceof HeldPermissionsError && /document 1\.rules\[0\]\.verbs: expected a list/.test(e.message));
    assert.throws(() => heldPermissionsFromDocuments(docs('kind: ConfigMap\n'), { source: 's' }), /no Role, ClusterRole or SelfSubjectRulesReview/);
    assert.throws(() => heldPermissionsFromDocuments(docs('kind: SelfSubjectRulesReview\nspec: {}\nstatus: {}\n'), { source: 's' }), /spec\.namespace/);
  });

  test('rulesFromRulesReviewStatus for the live side', () => {
    const got = rulesFromRulesReviewStatus({ resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], incomplete: false });
    assert.deepEqual(got, { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], incomplete: false });
  });
});

describe('access keys', () => {
  test('escalate is checked without a name (create), bind with the role name', () => {
    assert.equal(escalateAccessKey('Role', 'ci'), accessKey('escalate', 'roles', 'ci', ''));
    assert.equal(escalateAccessKey('ClusterRole', 'ci'), accessKey('escalate', 'clusterroles', '', ''));
    assert.equal(bindAccessKey('ClusterRole', '', 'view'), accessKey('bind', 'clusterroles', '', 'view'));
    assert.notEqual(accessKey('a', 'b', 'c', 'd'), accessKey('a', 'b', 'cd', ''));
  });
});
