// The identity flows against an in-memory cluster: rollback, idempotence, conflicts, rotation and
// revocation logic, quickly and with failures at every step. The real apiserver proves the same in
// test/cluster/identity*.test.ts.
import assert from 'node:assert/strict';
import { KeyValueExportRecords } from '../../server/src/core/lifecycle/exportRecords';
import { describe, test } from 'node:test';
import type { V1ServiceAccount } from '@kubernetes/client-node';
import { KubeConfig } from '@kubernetes/client-node';
import type { AnalyzeOptions } from '../../server/src/core/engine/analyze';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import { createIdentity, type IdentityDeps } from '../../server/src/core/lifecycle/create';
import { IdentityError } from '../../server/src/core/lifecycle/errors';
import { revokeIdentity } from '../../server/src/core/lifecycle/revoke';
import { rotateToken } from '../../server/src/core/lifecycle/rotate';
import { ANNOTATIONS, IDENTITY_LABEL, OWNER_LABEL, type IdentityPlan, type StepId } from '../../server/src/core/lifecycle/types';
import { LiveError } from '../../server/src/core/live/liveError';
import { StoreError } from '../../server/src/core/stores/secretStore';
import { FakeCluster, fakeLoaded, MemoryLogger, MemoryStore } from './identityFakes';

const MANAGE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const DEVELOPER_RULES = [
  { apiGroups: [''], resources: ['serviceaccounts', 'serviceaccounts/token', 'services', 'configmaps'], verbs: MANAGE },
  { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete'] },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: MANAGE },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: MANAGE },
];

const held = async (): Promise<AnalyzeOptions> => ({
  catalog: builtinCatalog(),
  held: { source: 'test', user: { username: 'developer', groups: [] }, namespaces: { 'team-a': { rules: DEVELOPER_RULES, incomplete: false } }, access: {} },
  // What the live environment resolves from the cluster for bindings to existing Roles.
  resolveRole: (kind, name, ns) => (kind === 'Role' && name === 'shared' && ns === 'team-a' ? [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }] : undefined),
});

const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
rules:
  - apiGroups: [apps]
    resources: [deployments]
    verbs: [get, list, patch, update]
  - apiGroups: [""]
    resources: [services]
    verbs: [get, create, patch]
`;

function plan(over: Partial<IdentityPlan> = {}): IdentityPlan {
  return {
    namespace: 'team-a',
    name: 'ci',
    role: { kind: 'file', text: ROLE, path: 'role.yaml' },
    token: { kind: 'request', durationSeconds: 86400 },
    pipeline: { repo: 'acme/app', environment: 'prod' },
    exportTarget: 'file:/tmp/ci.kubeconfig',
    ...over,
  };
}

function setup(extra: Partial<IdentityDeps> = {}) {
  const cluster = new FakeCluster();
  const store = new MemoryStore();
  const logger = new MemoryLogger();
  const deps: IdentityDeps = { kubeconfig: fakeLoaded(), store, logger, cluster, roleCheckOptions: held, ...extra };
  return { cluster, store, logger, deps };
}

function tokenOf(kubeconfig: string | undefined): string {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig ?? '');
  return kc.getCurrentUser()?.token ?? '';
}

const sa = (c: FakeCluster) => c.get<V1ServiceAccount>('ServiceAccount', 'team-a', 'ci');

describe('createIdentity', () => {
  test('creates SA, Role, RoleBinding and a bound token; exports a working kubeconfig; records the audit', async () => {
    const { cluster, store, logger, deps } = setup();
    const steps: StepId[] = [];
    const result = await createIdentity(plan(), deps, { step: (s) => void steps.push(s) });
    const token = tokenOf(store.value);
    assert.ok(cluster.tokenValid(token), 'the exported token is valid');
    assert.equal(cluster.issued[0]?.boundSecret?.name, result.token.secretName, 'bound to the Secret');
    assert.deepEqual(result.created.map((r) => r.kind), ['ServiceAccount', 'Role', 'RoleBinding', 'Secret']);
    assert.equal(result.username, 'system:serviceaccount:team-a:ci');
    assert.equal(result.token.shortened, false);
    const a = sa(cluster)?.metadata?.annotations ?? {};
    assert.equal(sa(cluster)?.metadata?.labels?.[IDENTITY_LABEL], 'true');
    assert.equal(a[ANNOTATIONS.createdBy], 'developer');
    assert.equal(a[ANNOTATIONS.pipeline], 'acme/app (environment prod)');
    assert.equal(a[ANNOTATIONS.exportedTo], 'memory store');
    assert.equal(a[ANNOTATIONS.exportTarget], 'file:/tmp/ci.kubeconfig');
    assert.equal(a[ANNOTATIONS.tokenKind], 'request');
    assert.equal(a[ANNOTATIONS.tokenSecret], result.token.secretName);
    assert.equal(a[ANNOTATIONS.tokenExpires], result.token.expiresAt);
    assert.equal(cluster.get('Role', 'team-a', 'deployer')?.metadata?.labels?.[OWNER_LABEL], 'ci');
    assert.ok(steps.includes('check-role') && steps.indexOf('check-role') < steps.indexOf('service-account'));
    assert.ok(logger.lines.some((l) => l.includes('audit: action="create" identity="team-a/ci" by="developer"')));
    assert.ok(logger.lines.some((l) => l.includes('audit: action="export"')));
    // The token is nowhere but in the store.
    assert.ok(!JSON.stringify(result).includes(token));
    assert.ok(!logger.lines.join('\n').includes(token));
    assert.ok(!JSON.stringify([...cluster.objects.values()]).includes(token));
  });

  test('a Role the user cannot grant is refused before anything is created', async () => {
    const { cluster, store, deps } = setup();
    const greedy = ROLE.replace('verbs: [get, create, patch]', 'verbs: [get, create, patch]\n  - apiGroups: [""]\n    resources: [secrets]\n    verbs: [get, list]');
    await assert.rejects(createIdentity(plan({ role: { kind: 'file', text: greedy, path: 'greedy.yaml' } }), deps), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.equal(e.kind, 'role-check');
      assert.ok(e.reasons.some((r) => /^greedy\.yaml:\d+: .*secrets.*\[not-held\]$/.test(r)), e.reasons.join('\n'));
      assert.match(e.message, /nothing was created/);
      return true;
    });
    assert.equal(cluster.objects.size, 0);
    assert.ok(!cluster.calls.some((c) => c.startsWith('apply') || c.startsWith('create')));
    assert.equal(store.putCount, 0);
  });

  for (const failAt of ['service-account', 'role', 'role-binding', 'token', 'export', 'annotate'] as const) {
    test(`a failure after step ${failAt} rolls back everything this run created; a re-run succeeds`, async () => {
      const { cluster, store, deps } = setup({
        afterStep: (s) => {
          if (s === failAt) throw new Error(`injected failure after ${s}`);
        },
      });
      await assert.rejects(createIdentity(plan(), deps), (e: unknown) => {
        assert.ok(e instanceof IdentityError);
        assert.match(e.message, new RegExp(`injected failure after ${failAt}`));
        assert.match(e.message, /Rolled back: /);
        assert.equal(e.rollback?.leftBehind.length, 0);
        return true;
      });
      assert.deepEqual([...cluster.objects.keys()], [], 'no orphans');
      assert.equal(store.value, undefined, 'a store secret created by the run is deleted too');
      const again = await createIdentity(plan(), { ...deps, afterStep: undefined });
      assert.ok(cluster.tokenValid(tokenOf(store.value)));
      assert.equal(again.created.length, 4);
    });
  }

  test("the apiserver's message is quoted and the run rolled back", async () => {
    const { cluster, deps } = setup();
    cluster.failures.set(
      'apply RoleBinding',
      new LiveError('applying RoleBinding team-a/ci failed: rolebindings.rbac.authorization.k8s.io "ci" is forbidden: user "developer" is attempting to grant RBAC permissions not currently held', 'forbidden', 403),
    );
    await assert.rejects(createIdentity(plan(), deps), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.equal(e.kind, 'forbidden');
      assert.equal(e.step, 'role-binding');
      assert.match(e.message, /is attempting to grant RBAC permissions not currently held/);
      assert.match(e.message, /Rolled back: Role team-a\/deployer, ServiceAccount team-a\/ci/);
      return true;
    });
    assert.equal(cluster.objects.size, 0);
  });

  test('a failing export rolls back, including the token Secret', async () => {
    const { cluster, store, deps } = setup();
    store.failPut = new StoreError('forbidden', 'GitHub refused to write secret KUBE_CONFIG of acme/app (403 Forbidden: Resource not accessible by integration).', 403);
    await assert.rejects(createIdentity(plan(), deps), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.equal(e.kind, 'export');
      assert.match(e.message, /Resource not accessible by integration/);
      assert.match(e.message, /Secret team-a\/ci-token-/);
      return true;
    });
    assert.equal(cluster.objects.size, 0);
    assert.equal(cluster.issued.filter((i) => cluster.tokenValid(i.token)).length, 0, 'no valid token remains');
  });

  test('an object that failed to roll back is reported with the command to delete it', async () => {
    const { cluster, deps } = setup({ afterStep: (s) => { if (s === 'role-binding') throw new Error('boom'); } });
    cluster.failures.set('delete Role', new LiveError('deleting Role team-a/deployer failed: etcdserver: request timed out', 'other', 500));
    await assert.rejects(createIdentity(plan(), deps), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.match(e.message, /Could not delete: Role team-a\/deployer .*kubectl -n team-a delete role deployer/);
      assert.equal(e.rollback?.leftBehind.length, 1);
      return true;
    });
    assert.deepEqual([...cluster.objects.keys()], ['Role/team-a/deployer']);
  });

  test('never takes over a ServiceAccount that is not a pipeline identity', async () => {
    const { cluster, deps } = setup();
    cluster.objects.set('ServiceAccount/team-a/ci', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ci', namespace: 'team-a', uid: 'u1' } });
    await assert.rejects(createIdentity(plan(), deps), (e: unknown) => e instanceof IdentityError && e.kind === 'conflict' && /not a pipeline identity/.test(e.message));
    assert.deepEqual([...cluster.objects.keys()], ['ServiceAccount/team-a/ci']);
    assert.equal(cluster.get('ServiceAccount', 'team-a', 'ci')?.metadata?.labels, undefined);
  });

  test('missing permissions stop the flow at preflight with the fix', async () => {
    const { cluster, deps } = setup();
    cluster.denied = new Set(['create serviceaccounts/token']);
    await assert.rejects(createIdentity(plan(), deps), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.equal(e.kind, 'forbidden');
      assert.equal(e.step, 'preflight');
      assert.match(e.message, /create serviceaccounts\/token/);
      assert.match(e.message, /kubectl -n team-a create rolebinding/);
      return true;
    });
    assert.equal(cluster.objects.size, 0);
  });

  test('re-running is idempotent: same objects, created-at kept, the previous token revoked', async () => {
    const { cluster, store, deps } = setup();
    let t = Date.parse('2026-01-01T00:00:00Z');
    const first = await createIdentity(plan(), { ...deps, now: () => new Date(t) });
    const firstToken = tokenOf(store.value);
    t += 3_600_000;
    const second = await createIdentity(plan(), { ...deps, now: () => new Date(t) });
    assert.deepEqual(second.created.map((r) => r.kind), ['Secret']);
    assert.deepEqual(second.updated.map((r) => r.kind), ['ServiceAccount', 'Role', 'RoleBinding']);
    assert.equal(sa(cluster)?.metadata?.annotations?.[ANNOTATIONS.createdAt], '2026-01-01T00:00:00.000Z');
    assert.ok(!cluster.has('Secret', 'team-a', first.token.secretName), 'old bound Secret deleted');
    assert.equal(cluster.tokenValid(firstToken), false);
    assert.ok(cluster.tokenValid(tokenOf(store.value)));
  });

  test('a shortened lifetime is read back and reported', async () => {
    const { cluster, deps, logger } = setup();
    cluster.maxTokenSeconds = 7200;
    const r = await createIdentity(plan({ token: { kind: 'request', durationSeconds: 30 * 86400 } }), deps);
    assert.equal(r.token.shortened, true);
    assert.equal(r.token.grantedSeconds, 7200);
    assert.ok(r.warnings.some((w) => /shortened the token lifetime from 30d to 2h/.test(w)));
    assert.ok(logger.lines.some((l) => l.startsWith('warn ') && l.includes('shortened')));
  });

  test('legacy token Secret: waits for the controller; a timeout is a clear error and rolls back', async () => {
    const ok = setup();
    ok.cluster.legacyFillAfterReads = 3;
    const r = await createIdentity(plan({ token: { kind: 'secret' } }), { ...ok.deps, legacyTokenTimeoutMs: 5000 });
    assert.equal(r.token.kind, 'secret');
    assert.ok(r.warnings.some((w) => /never expires/.test(w)));
    assert.ok(ok.cluster.tokenValid(tokenOf(ok.store.value)));

    const slow = setup();
    slow.cluster.legacyFillAfterReads = Infinity;
    await assert.rejects(createIdentity(plan({ token: { kind: 'secret' } }), { ...slow.deps, legacyTokenTimeoutMs: 300 }), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.equal(e.kind, 'timeout');
      assert.match(e.message, /tokens controller did not fill Secret team-a\/ci-token-\w+ within 0s/);
      return true;
    });
    assert.equal(slow.cluster.objects.size, 0);
  });

  test('binding an existing Role neither modifies nor owns it', async () => {
    const { cluster, deps } = setup();
    cluster.objects.set('Role/team-a/shared', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'shared', namespace: 'team-a', uid: 'r1' }, rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }] } as never);
    const r = await createIdentity(plan({ role: { kind: 'existing', name: 'shared' } }), deps);
    assert.equal(r.roleOwned, false);
    assert.ok(!cluster.calls.includes('apply Role/team-a/shared'));
    await revokeIdentity({ namespace: 'team-a', name: 'ci' }, { kubeconfig: deps.kubeconfig, cluster });
    assert.ok(cluster.has('Role', 'team-a', 'shared'), 'revoke keeps a Role it did not create');
  });
});

describe('createIdentity with an existing Role the user cannot bind', () => {
  test('binding-not-held stops the flow before anything is created', async () => {
    const { cluster, deps } = setup({
      roleCheckOptions: async () => ({
        ...(await held()),
        resolveRole: (kind, name) => (kind === 'Role' && name === 'admin-ish' ? [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] : undefined),
      }),
    });
    cluster.objects.set('Role/team-a/admin-ish', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'admin-ish', namespace: 'team-a' } });
    await assert.rejects(createIdentity(plan({ role: { kind: 'existing', name: 'admin-ish' } }), deps), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.equal(e.kind, 'role-check');
      assert.ok(e.reasons.some((r) => r.endsWith('[binding-not-held]')), e.reasons.join('\n'));
      return true;
    });
    assert.deepEqual([...cluster.objects.keys()], ['Role/team-a/admin-ish']);
  });
});

describe('rotateToken', () => {
  test('new token exported, old revoked, rotation recorded', async () => {
    const { cluster, store, deps, logger } = setup();
    const created = await createIdentity(plan(), deps);
    const oldToken = tokenOf(store.value);
    const r = await rotateToken({ namespace: 'team-a', name: 'ci', durationSeconds: 3600 }, { kubeconfig: deps.kubeconfig, store, cluster, logger });
    const newToken = tokenOf(store.value);
    assert.notEqual(newToken, oldToken);
    assert.ok(cluster.tokenValid(newToken));
    assert.equal(cluster.tokenValid(oldToken), false);
    assert.equal(r.revokedSecret, created.token.secretName);
    const a = sa(cluster)?.metadata?.annotations ?? {};
    assert.equal(a[ANNOTATIONS.tokenSecret], r.token.secretName);
    assert.ok(a[ANNOTATIONS.lastRotated]);
    assert.equal(a[ANNOTATIONS.lastRotatedBy], 'developer');
    assert.equal(a[ANNOTATIONS.createdBy], 'developer', 'creation record kept');
    assert.ok(logger.lines.some((l) => l.includes('audit: action="rotate"')));
    assert.ok(!logger.lines.join('\n').includes(newToken));
  });

  test('without a duration, rotation asks for the lifetime this machine recorded at create, never the annotation', async () => {
    const { cluster, store, deps } = setup();
    const backend = new Map<string, unknown>();
    const records = { store: new KeyValueExportRecords({ get: (k) => backend.get(k), update: async (k, v) => void backend.set(k, v) }), key: 'k', target: 'file:/k' };
    await createIdentity(plan({ token: { kind: 'request', durationSeconds: 2 * 3600 } }), { ...deps, records });
    assert.equal(sa(cluster)?.metadata?.annotations?.[ANNOTATIONS.tokenDuration], '7200');
    const s = sa(cluster);
    if (s?.metadata?.annotations) s.metadata.annotations[ANNOTATIONS.tokenDuration] = '3153600000';
    const r = await rotateToken({ namespace: 'team-a', name: 'ci' }, { kubeconfig: deps.kubeconfig, store, cluster, records });
    assert.equal(r.token.requestedSeconds, 7200);
    assert.equal(cluster.issued.at(-1)?.expirationSeconds, 7200);
    assert.ok(r.warnings.some((w) => /token-duration annotation says "3153600000" s: cluster text, not used/.test(w)), r.warnings.join('\n'));
  });

  test('a failed export keeps the old token working and deletes the new Secret', async () => {
    const { cluster, store, deps } = setup();
    await createIdentity(plan(), deps);
    const oldToken = tokenOf(store.value);
    const before = [...cluster.objects.keys()].sort();
    store.failPut = new StoreError('server', 'Vault failed with a server error (503).', 503);
    await assert.rejects(rotateToken({ namespace: 'team-a', name: 'ci' }, { kubeconfig: deps.kubeconfig, store, cluster }), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.match(e.message, /503.*The store was not changed and the previous token is still valid.*Rolled back: Secret team-a\/ci-token-/);
      return true;
    });
    assert.deepEqual([...cluster.objects.keys()].sort(), before);
    assert.ok(cluster.tokenValid(oldToken));
  });

  test('refuses a ServiceAccount that is not a pipeline identity', async () => {
    const { cluster, deps, store } = setup();
    cluster.objects.set('ServiceAccount/team-a/ci', { kind: 'ServiceAccount', metadata: { name: 'ci', namespace: 'team-a' } });
    await assert.rejects(rotateToken({ namespace: 'team-a', name: 'ci' }, { kubeconfig: deps.kubeconfig, store, cluster }), /not a pipeline identity/);
    assert.equal(store.putCount, 0);
  });
});

describe('revokeIdentity', () => {
  test('deletes token Secret, RoleBinding, own Role, ServiceAccount and (asked) the stored kubeconfig', async () => {
    const { cluster, store, deps, logger } = setup();
    const created = await createIdentity(plan(), deps);
    const token = tokenOf(store.value);
    const r = await revokeIdentity({ namespace: 'team-a', name: 'ci', deleteStoredSecret: true }, { kubeconfig: deps.kubeconfig, cluster, store, logger });
    assert.deepEqual(r.deleted, [`Secret team-a/${created.token.secretName}`, 'RoleBinding team-a/ci', 'Role team-a/deployer', 'ServiceAccount team-a/ci']);
    assert.equal(cluster.objects.size, 0);
    assert.equal(store.value, undefined);
    assert.equal(r.storeDeleted, 'memory store');
    assert.equal(cluster.tokenValid(token), false);
    assert.ok(logger.lines.some((l) => l.includes('audit: action="revoke"')));
    const again = await revokeIdentity({ namespace: 'team-a', name: 'ci' }, { kubeconfig: deps.kubeconfig, cluster });
    assert.deepEqual(again.deleted, []);
    assert.ok(again.warnings.some((w) => /nothing to revoke/.test(w)));
  });

  test('goes on past a failed deletion and reports it', async () => {
    const { cluster, deps } = setup();
    await createIdentity(plan(), deps);
    cluster.failures.set('delete RoleBinding', new LiveError('deleting RoleBinding team-a/ci failed: forbidden', 'forbidden', 403));
    await assert.rejects(revokeIdentity({ namespace: 'team-a', name: 'ci' }, { kubeconfig: deps.kubeconfig, cluster }), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.match(e.message, /incomplete.*Deleted: Secret .*ServiceAccount team-a\/ci.*Failed: .*RoleBinding team-a\/ci failed: forbidden/);
      return true;
    });
    assert.deepEqual([...cluster.objects.keys()], ['RoleBinding/team-a/ci']);
  });
});
