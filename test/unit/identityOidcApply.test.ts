// Applying a keyless binding against the in-memory cluster: escalation refused before anything exists, a failure
// after the Role was created rolls it back, foreign objects of the same name are never taken over, re-runs are
// idempotent. test/cluster/oidc.test.ts proves the same path through the CLI on the real apiserver.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AnalyzeOptions } from '../../server/src/core/engine/analyze';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import { IdentityError } from '../../server/src/core/lifecycle/errors';
import { oidcRoleBinding } from '../../server/src/core/lifecycle/oidc';
import { applyOidcBinding, type OidcApplyPlan } from '../../server/src/core/lifecycle/oidcApply';
import { OWNER_LABEL } from '../../server/src/core/lifecycle/types';
import { LiveError } from '../../server/src/core/live/liveError';
import { FakeCluster, fakeLoaded, MemoryLogger } from './identityFakes';

const held = async (): Promise<AnalyzeOptions> => ({
  catalog: builtinCatalog(),
  held: {
    source: 'test',
    user: { username: 'developer', groups: [] },
    namespaces: { 'team-a': { rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }, { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['get', 'create', 'patch'] }], incomplete: false } },
    access: {},
  },
  resolveRole: () => undefined,
});

const role = (verbs: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: deployer\nrules:\n  - apiGroups: [apps]\n    resources: [deployments]\n    verbs: [${verbs}]\n`;
const binding = oidcRoleBinding({ namespace: 'team-a', roleName: 'deployer', subject: 'repo:acme/web:environment:production', prefix: 'github:', provider: 'github', issuer: 'https://ghe.example.com/_services/token' });
const plan = (verbs = 'get, patch'): OidcApplyPlan => ({ namespace: 'team-a', role: { kind: 'file', text: role(verbs), path: 'role.yaml' }, roleBinding: binding });

function setup() {
  const cluster = new FakeCluster();
  return { cluster, deps: { kubeconfig: fakeLoaded(), cluster, logger: new MemoryLogger(), roleCheckOptions: held } };
}

describe('applyOidcBinding', () => {
  test('creates the Role (owned by the binding) and the RoleBinding; a re-run updates them', async () => {
    const { cluster, deps } = setup();
    const r = await applyOidcBinding(plan(), deps);
    assert.deepEqual(r.created.map((c) => `${c.kind}/${c.name}`), ['Role/deployer', 'RoleBinding/oidc-github-deployer']);
    assert.equal(cluster.get<{ metadata: { labels: Record<string, string> } }>('Role', 'team-a', 'deployer')?.metadata.labels[OWNER_LABEL], 'oidc-github-deployer');
    assert.ok(cluster.calls.indexOf('dryrun Role/team-a/deployer') < cluster.calls.indexOf('apply Role/team-a/deployer'));
    const again = await applyOidcBinding(plan(), deps);
    assert.deepEqual(again.created, []);
    assert.deepEqual(again.updated.map((c) => c.kind), ['Role', 'RoleBinding']);
  });

  test('a Role granting what you do not hold is refused before anything exists', async () => {
    const { cluster, deps } = setup();
    await assert.rejects(applyOidcBinding(plan('get, delete'), deps), (e: unknown) => e instanceof IdentityError && e.kind === 'role-check' && /nothing was created/.test(e.message));
    assert.equal(cluster.calls.filter((c) => c.startsWith('apply')).length, 0);
  });

  test('a failure after the Role was created deletes it again and says so', async () => {
    const { cluster, deps } = setup();
    cluster.failures.set('apply RoleBinding', new LiveError('applying RoleBinding team-a/oidc-github-deployer failed: forbidden', 'forbidden', 403));
    await assert.rejects(applyOidcBinding(plan(), deps), (e: unknown) => e instanceof IdentityError && e.rollback?.removed.includes('Role team-a/deployer') === true);
    assert.equal(cluster.has('Role', 'team-a', 'deployer'), false);
  });

  test('never takes over a Role or RoleBinding of the same name that is not this binding\'s', async () => {
    const { cluster, deps } = setup();
    await cluster.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'deployer', namespace: 'team-a' }, rules: [] });
    await assert.rejects(applyOidcBinding(plan(), deps), (e: unknown) => e instanceof IdentityError && e.kind === 'conflict' && /Role team-a\/deployer already exists/.test(e.message));
    const other = setup();
    await other.cluster.apply({ ...binding, metadata: { name: binding.metadata?.name, namespace: 'team-a' } });
    await assert.rejects(applyOidcBinding(plan(), other.deps), (e: unknown) => e instanceof IdentityError && /is not a keyless binding of this tool/.test(e.message));
  });
});
