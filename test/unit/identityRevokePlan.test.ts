// What revoke deletes besides token Secrets, and what it reports as still granting the name: proven from the
// objects (labels, subjects, roleRefs), never from the annotations. The same runs on the real apiserver in
// test/cluster/identityAnnotations.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RbacV1Subject } from '@kubernetes/client-node';
import { planRbacRevoke, remainingGrants } from '../../server/src/core/lifecycle/revokePlan';
import { rotationLifetime } from '../../server/src/core/lifecycle/lifetime';
import { MAX_TOKEN_SECONDS, parseDuration } from '../../server/src/core/lifecycle/names';
import { ANNOTATIONS, MANAGED_BY, MANAGED_BY_LABEL, OWNER_LABEL } from '../../server/src/core/lifecycle/types';
import { LiveError } from '../../server/src/core/live/liveError';
import { FakeCluster } from './identityFakes';

const NS = 'team-a';
const OURS = { [MANAGED_BY_LABEL]: MANAGED_BY, [OWNER_LABEL]: 'ci' };
const SA: RbacV1Subject = { kind: 'ServiceAccount', name: 'ci', namespace: NS };

function binding(c: FakeCluster, name: string, subjects: RbacV1Subject[], role: { kind: string; name: string }, labels?: Record<string, string>, ns = NS): Promise<unknown> {
  return c.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: ns, ...(labels ? { labels } : {}) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...role }, subjects });
}
function role(c: FakeCluster, name: string, labels?: Record<string, string>): Promise<unknown> {
  return c.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: NS, ...(labels ? { labels } : {}) }, rules: [] });
}

describe('planRbacRevoke', () => {
  test('deletes our labelled binding of only this ServiceAccount and our Role; keeps what would take rights from others', async () => {
    const c = new FakeCluster();
    await binding(c, 'ci', [SA], { kind: 'Role', name: 'ci-deployer' }, OURS);
    await role(c, 'ci-deployer', OURS);
    // Labelled as ours, but someone added a second subject: deleting it would take that user's rights.
    await binding(c, 'ci-shared', [SA, { kind: 'User', name: 'alice' }], { kind: 'Role', name: 'ci-shared-role' }, OURS);
    await role(c, 'ci-shared-role', OURS);
    // Not ours at all (no managed-by label), even though it carries the owner label.
    await binding(c, 'lookalike', [SA], { kind: 'Role', name: 'ci-deployer' }, { [OWNER_LABEL]: 'ci' });
    const plan = await planRbacRevoke(c, NS, 'ci');
    assert.deepEqual(plan.targets.map((t) => `${t.kind} ${t.name}`), ['RoleBinding ci']);
    assert.deepEqual(plan.kept, [
      "RoleBinding team-a/ci-shared (labelled as this identity's, but it also binds User alice; left alone)",
      "Role team-a/ci-deployer (labelled as this identity's, but RoleBinding lookalike still refers to it; left alone)",
      "Role team-a/ci-shared-role (labelled as this identity's, but RoleBinding ci-shared still refers to it; left alone)",
    ]);
  });

  test('the ServiceAccount\'s annotations are not read: the plan is the same whatever they say', async () => {
    const c = new FakeCluster();
    await c.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ci', namespace: NS, annotations: { [ANNOTATIONS.roleBinding]: 'victim', [ANNOTATIONS.role]: 'victim' } } });
    await binding(c, 'victim', [{ kind: 'User', name: 'bob' }], { kind: 'Role', name: 'victim' });
    await role(c, 'victim');
    await binding(c, 'ci', [SA], { kind: 'Role', name: 'ci-deployer' }, OURS);
    await role(c, 'ci-deployer', OURS);
    c.calls.length = 0;
    const plan = await planRbacRevoke(c, NS, 'ci');
    assert.deepEqual(plan.targets.map((t) => `${t.kind} ${t.name}`), ['RoleBinding ci', 'Role ci-deployer']);
    assert.ok(!c.calls.some((x) => x.includes('victim')), c.calls.join('\n'));
  });
});

describe('planRbacRevoke: an existing role the identity was bound to', () => {
  test('is named as kept (the binding goes, the Role or ClusterRole stays)', async () => {
    const c = new FakeCluster();
    await binding(c, 'ci', [SA], { kind: 'Role', name: 'developer' }, OURS);
    await role(c, 'developer');
    await binding(c, 'ci-view', [SA], { kind: 'ClusterRole', name: 'view' }, OURS);
    const plan = await planRbacRevoke(c, NS, 'ci');
    assert.deepEqual(plan.targets.map((t) => `${t.kind} ${t.name}`), ['RoleBinding ci', 'RoleBinding ci-view']);
    assert.deepEqual(plan.kept, ['Role team-a/developer (existing, not created by Pipeline RBAC)', 'ClusterRole view (existing, not created by Pipeline RBAC)']);
  });
});

describe('remainingGrants', () => {
  test('every binding naming the ServiceAccount (by kind or username, in any namespace, or cluster-wide); groups apart', async () => {
    const c = new FakeCluster();
    await binding(c, 'here', [SA], { kind: 'ClusterRole', name: 'edit' });
    await binding(c, 'implicit-ns', [{ kind: 'ServiceAccount', name: 'ci' }], { kind: 'Role', name: 'r' });
    await binding(c, 'elsewhere', [SA], { kind: 'ClusterRole', name: 'view' }, undefined, 'team-b');
    await binding(c, 'other-ns-same-name', [{ kind: 'ServiceAccount', name: 'ci', namespace: 'team-b' }], { kind: 'Role', name: 'r' });
    await c.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'as-user' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'User', name: 'system:serviceaccount:team-a:ci' }] });
    await c.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'all-sas' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'system:serviceaccounts:team-a' }] });
    const g = await remainingGrants(c, NS, 'ci');
    assert.deepEqual([...g.direct].sort(), [
      'ClusterRoleBinding as-user (ClusterRole admin)',
      'RoleBinding team-a/here (ClusterRole edit)',
      'RoleBinding team-a/implicit-ns (Role r)',
      'RoleBinding team-b/elsewhere (ClusterRole view)',
    ]);
    assert.deepEqual(g.viaGroups, ['ClusterRoleBinding all-sas (ClusterRole view)']);
    assert.deepEqual(g.unchecked, []);
  });

  test('what may not be listed is named as not checked, never as clear', async () => {
    const c = new FakeCluster();
    c.failures.set('list RoleBinding//', new LiveError('forbidden: cannot list rolebindings at the cluster scope', 'forbidden', 403));
    c.failures.set('list ClusterRoleBinding', new LiveError('forbidden', 'forbidden', 403));
    await binding(c, 'here', [SA], { kind: 'ClusterRole', name: 'edit' });
    const g = await remainingGrants(c, NS, 'ci');
    assert.deepEqual(g.direct, ['RoleBinding team-a/here (ClusterRole edit)']);
    assert.equal(g.unchecked.length, 2);
    assert.match(g.unchecked[0] ?? '', /^RoleBindings of other namespaces \(.*forbidden/);
    assert.match(g.unchecked[1] ?? '', /^ClusterRoleBindings /);
  });
});

describe('rotationLifetime', () => {
  test('asked, else the record, else 30 days; the annotation only quoted; at most 365 days', () => {
    const hostile = { [ANNOTATIONS.tokenDuration]: '3153600000' };
    const fromRecord = rotationLifetime({ record: { target: 'file:/k', at: '2026-01-01T00:00:00Z', tokenSeconds: 7200 }, annotations: hostile });
    assert.equal(fromRecord.seconds, 7200);
    assert.equal(fromRecord.source, 'record');
    assert.match(fromRecord.warnings.join(), /annotation says "3153600000" s: cluster text, not used/);
    assert.equal(rotationLifetime({ annotations: hostile }).seconds, 30 * 86_400);
    assert.equal(rotationLifetime({ asked: 3600, annotations: hostile }).seconds, 3600);
    const tampered = rotationLifetime({ record: { target: 'file:/k', at: 'x', tokenSeconds: 3_153_600_000 } });
    assert.equal(tampered.seconds, 30 * 86_400);
    assert.match(tampered.warnings.join(), /outside 10m\.\.365d: not used/);
    assert.throws(() => rotationLifetime({ asked: MAX_TOKEN_SECONDS + 1 }), /longer than the 365 days/);
    assert.equal(parseDuration('365d'), MAX_TOKEN_SECONDS);
    assert.throws(() => parseDuration('366d'), /longer than the 365 days/);
  });
});
