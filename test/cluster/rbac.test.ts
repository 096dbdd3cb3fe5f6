// What the real apiserver says about the seeded users: their rules, and its escalation check.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthorizationV1Api, RbacAuthorizationV1Api, type V1Role, type V1SubjectRulesReviewStatus } from '@kubernetes/client-node';
import { DEVELOPER_RULES, TEAM_A, TEAM_B, apiStatus, deleteIfExists, kubeConfigFor, uniqueName, type ClusterUser } from './harness';
import { listRoleNames } from '../../server/src/core/lifecycle/kube';

const ESCALATION = 'attempting to grant RBAC permissions not currently held';

async function rulesReview(user: ClusterUser, namespace: string): Promise<V1SubjectRulesReviewStatus> {
  const api = kubeConfigFor(user).makeApiClient(AuthorizationV1Api);
  const review = await api.createSelfSubjectRulesReview({ body: { spec: { namespace } } });
  assert.ok(review.status, 'SelfSubjectRulesReview has a status');
  return review.status;
}

/** "group/resource" -> sorted verbs, merged over all rules without resourceNames. */
function verbsByResource(status: V1SubjectRulesReviewStatus): Map<string, string[]> {
  const merged = new Map<string, Set<string>>();
  for (const rule of status.resourceRules) {
    if (rule.resourceNames?.length) continue;
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const key = `${group}/${resource}`;
        const verbs = merged.get(key) ?? new Set<string>();
        for (const v of rule.verbs) verbs.add(v);
        merged.set(key, verbs);
      }
    }
  }
  return new Map([...merged].map(([k, v]) => [k, [...v].sort()]));
}

const seeded = new Map<string, string[]>(
  DEVELOPER_RULES.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res): [string, string[]] => [`${g}/${res}`, [...r.verbs].sort()]))),
);

describe('SelfSubjectRulesReview of the seeded users', () => {
  test('developer in team-a gets exactly the seeded rules on top of the defaults', async () => {
    const a = verbsByResource(await rulesReview('developer', TEAM_A));
    const b = verbsByResource(await rulesReview('developer', TEAM_B));

    // Spelled out, so a wrong seed cannot make this pass.
    assert.deepEqual(a.get('/secrets'), ['create', 'delete']);
    assert.deepEqual(a.get('/serviceaccounts/token'), ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(a.get('rbac.authorization.k8s.io/roles'), ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(a.get('apps/deployments'), ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(a.get('networking.k8s.io/ingresses'), ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(a.get('autoscaling/horizontalpodautoscalers'), ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
    assert.equal(a.has('/pods'), false, 'no pod access was seeded');

    // team-a = team-b defaults + the seeded Role, nothing else.
    for (const [key, verbs] of b) assert.deepEqual(a.get(key), verbs, `default rule for ${key} is the same in team-a`);
    const extra = new Map([...a].filter(([key]) => !b.has(key)));
    assert.deepEqual(extra, seeded);
  });

  test('developer in team-b holds only the defaults', async () => {
    const status = await rulesReview('developer', TEAM_B);
    assert.equal(status.incomplete, false);
    const b = verbsByResource(status);
    for (const key of seeded.keys()) assert.equal(b.has(key), false, `${key} must not be granted in team-b`);
    assert.deepEqual(b.get('authorization.k8s.io/selfsubjectrulesreviews'), ['create']);
    assert.deepEqual(b.get('authentication.k8s.io/selfsubjectreviews'), ['create']);
    assert.ok(status.nonResourceRules.some((r) => r.nonResourceURLs?.includes('/version') && r.verbs.includes('get')));
  });

  test('viewer in team-a reads through the aggregated view ClusterRole but cannot write or read secrets', async () => {
    const a = verbsByResource(await rulesReview('viewer', TEAM_A));
    assert.deepEqual(a.get('apps/deployments'), ['get', 'list', 'watch']);
    assert.deepEqual(a.get('/configmaps'), ['get', 'list', 'watch']);
    assert.equal(a.has('/secrets'), false);
    const b = verbsByResource(await rulesReview('viewer', TEAM_B));
    assert.equal(b.has('apps/deployments'), false);
  });
});

describe('RBAC escalation check of the apiserver', () => {
  const rbac = () => kubeConfigFor('developer').makeApiClient(RbacAuthorizationV1Api);
  const role = (name: string, rules: V1Role['rules']): V1Role => ({ metadata: { name, namespace: TEAM_A }, rules });

  test('developer cannot create a Role granting get on secrets', async () => {
    const name = uniqueName('read-secrets');
    await assert.rejects(
      rbac().createNamespacedRole({ namespace: TEAM_A, body: role(name, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]) }),
      (err: unknown) => {
        const status = apiStatus(err);
        assert.equal(status?.code, 403);
        assert.match(status.message, new RegExp(ESCALATION));
        return true;
      },
    );
    const admin = kubeConfigFor('admin').makeApiClient(RbacAuthorizationV1Api);
    assert.equal(await deleteIfExists(() => admin.deleteNamespacedRole({ name, namespace: TEAM_A })), false, 'the Role was not created');
  });

  test('developer can create a Role within its own rights', async () => {
    const name = uniqueName('deployer');
    const rules = [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ];
    const api = rbac();
    try {
      const created = await api.createNamespacedRole({ namespace: TEAM_A, body: role(name, rules) });
      assert.equal(created.metadata?.name, name);
      const read = await api.readNamespacedRole({ name, namespace: TEAM_A });
      assert.deepEqual(read.rules?.map((r) => r.verbs), [['get', 'patch'], ['create']]);
    } finally {
      assert.equal(await deleteIfExists(() => api.deleteNamespacedRole({ name, namespace: TEAM_A })), true);
    }
  });

  test('developer cannot bind the edit ClusterRole, which holds more than it does', async () => {
    const name = uniqueName('edit');
    await assert.rejects(
      rbac().createNamespacedRoleBinding({
        namespace: TEAM_A,
        body: {
          metadata: { name, namespace: TEAM_A },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
          subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: TEAM_A }],
        },
      }),
      (err: unknown) => {
        const status = apiStatus(err);
        assert.equal(status?.code, 403);
        assert.match(status.message, new RegExp(ESCALATION));
        return true;
      },
    );
  });

  test('developer cannot create Roles in team-b at all', async () => {
    await assert.rejects(
      rbac().createNamespacedRole({
        namespace: TEAM_B,
        body: { metadata: { name: uniqueName('nope'), namespace: TEAM_B }, rules: [] },
      }),
      (err: unknown) => {
        const status = apiStatus(err);
        assert.equal(status?.code, 403);
        assert.equal(status.reason, 'Forbidden');
        assert.doesNotMatch(status.message, new RegExp(ESCALATION), 'plain authorization denial, not the escalation check');
        return true;
      },
    );
  });
});

describe('listRoleNames (the "existing Role" choice of the create flow)', () => {
  test('lists the Roles of a namespace by name, sorted; a user who may not list them gets the 403', async () => {
    const admin = kubeConfigFor('admin').makeApiClient(RbacAuthorizationV1Api);
    const base = uniqueName('listed');
    const names = [`${base}-b`, `${base}-a`];
    try {
      for (const name of names) await admin.createNamespacedRole({ namespace: TEAM_A, body: { metadata: { name, namespace: TEAM_A }, rules: [] } });
      const listed = await listRoleNames(kubeConfigFor('admin'), TEAM_A);
      assert.deepEqual(listed, [...listed].sort());
      assert.ok(listed.includes('developer'), 'the seeded Role is listed');
      assert.deepEqual(
        listed.filter((n) => n.startsWith(base)),
        [`${base}-a`, `${base}-b`],
      );
      // view does not include Roles: the viewer's listing fails with the apiserver's status.
      await assert.rejects(listRoleNames(kubeConfigFor('viewer'), TEAM_A), (err: unknown) => apiStatus(err)?.code === 403);
    } finally {
      for (const name of names) await deleteIfExists(() => admin.deleteNamespacedRole({ namespace: TEAM_A, name }));
    }
  });
});
