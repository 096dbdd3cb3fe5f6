// Pipeline identities against the real apiserver, acting as `developer` in team-a (who may manage
// ServiceAccounts, tokens, Roles and RoleBindings, and only create/delete Secrets). `admin` only
// looks, to prove that nothing is left behind.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AuthenticationV1Api, AuthorizationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import { createIdentity, type IdentityDeps } from '../../server/src/core/lifecycle/create';
import { IdentityError } from '../../server/src/core/lifecycle/errors';
import { revokeIdentity } from '../../server/src/core/lifecycle/revoke';
import { rotateToken } from '../../server/src/core/lifecycle/rotate';
import { ANNOTATIONS, IDENTITY_LABEL, OWNER_LABEL, type IdentityPlan, type Logger } from '../../server/src/core/lifecycle/types';
import { loadKubeconfig, type LoadedKubeconfig } from '../../server/src/core/live/kubeconfig';
import { FileSecretStore } from '../../server/src/core/stores/file';
import { FileExportRecords, recordKey } from '../../server/src/core/lifecycle/exportRecords';
import { TEAM_A, TEAM_B, apiStatus, clusterKubeconfigs, deleteIfExists, kubeConfigFor, uniqueName, waitFor } from './harness';

const ROLE = (name: string) => `# What the pipeline deploys: an app's Deployment, Service and config.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${name}
rules:
  - apiGroups: [apps]
    resources: [deployments]
    verbs: [get, list, watch, create, update, patch]
  - apiGroups: [""]
    resources: [services, configmaps]
    verbs: [get, list, create, update, patch]
`;

class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  info = (m: string) => void this.lines.push(m);
  warn = (m: string) => void this.lines.push(m);
  error = (m: string) => void this.lines.push(m);
}

const dir = mkdtempSync(join(tmpdir(), 'pipeline-identity-'));
const developer = (): LoadedKubeconfig => loadKubeconfig({ kubeconfig: clusterKubeconfigs().developer, trusted: true });
/** This machine's export record, as the CLI and VS Code keep it (developer may not read Secrets: the record proves them). */
const recordStore = new FileExportRecords(join(dir, 'config', 'exports.json'));
const records = (name: string, target = 'file:/unused') => ({ store: recordStore, key: recordKey(developer().server, TEAM_A, name), target });
const admin = () => kubeConfigFor('admin');

function loadExported(path: string): { kc: KubeConfig; token: string } {
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(path, 'utf8'));
  const token = kc.getCurrentUser()?.token;
  assert.ok(token, 'the exported kubeconfig has a token');
  return { kc, token };
}

async function whoami(kc: KubeConfig): Promise<string | undefined> {
  const r = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
  return r.status?.userInfo?.username;
}

async function can(kc: KubeConfig, verb: string, group: string, resource: string, namespace: string): Promise<boolean> {
  const r = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: { verb, group, resource, namespace } } },
  });
  return r.status?.allowed === true;
}

/** 401 from the apiserver for this kubeconfig (the token no longer authenticates). */
async function rejected(kc: KubeConfig): Promise<boolean> {
  try {
    await whoami(kc);
    return false;
  } catch (err) {
    return apiStatus(err)?.code === 401;
  }
}

/** Everything in team-a that belongs to identity `name`, as admin sees it. */
async function leftovers(name: string, roleName: string): Promise<string[]> {
  const core = admin().makeApiClient(CoreV1Api);
  const rbac = admin().makeApiClient(RbacAuthorizationV1Api);
  const selector = `${OWNER_LABEL}=${name}`;
  const out: string[] = [];
  const sas = await core.listNamespacedServiceAccount({ namespace: TEAM_A, labelSelector: `${IDENTITY_LABEL}=true` });
  out.push(...sas.items.filter((s) => s.metadata?.name === name).map((s) => `ServiceAccount ${s.metadata?.name}`));
  out.push(...(await core.listNamespacedSecret({ namespace: TEAM_A, labelSelector: selector })).items.map((s) => `Secret ${s.metadata?.name}`));
  out.push(...(await rbac.listNamespacedRole({ namespace: TEAM_A, labelSelector: selector })).items.map((s) => `Role ${s.metadata?.name}`));
  out.push(...(await rbac.listNamespacedRoleBinding({ namespace: TEAM_A, labelSelector: selector })).items.map((s) => `RoleBinding ${s.metadata?.name}`));
  for (const [what, read] of [
    ['ServiceAccount', () => core.readNamespacedServiceAccount({ name, namespace: TEAM_A })],
    ['Role', () => rbac.readNamespacedRole({ name: roleName, namespace: TEAM_A })],
    ['RoleBinding', () => rbac.readNamespacedRoleBinding({ name, namespace: TEAM_A })],
  ] as const) {
    try {
      await read();
      out.push(`${what} ${name} (get)`);
    } catch (err) {
      if (apiStatus(err)?.code !== 404) throw err;
    }
  }
  return out;
}

const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

/** Admin-side safety net, so a failing test leaves nothing behind on the shared cluster. */
function cleanupIdentity(name: string, roleName: string): void {
  cleanup.push(async () => {
    const core = admin().makeApiClient(CoreV1Api);
    const rbac = admin().makeApiClient(RbacAuthorizationV1Api);
    for (const s of (await core.listNamespacedSecret({ namespace: TEAM_A, labelSelector: `${OWNER_LABEL}=${name}` })).items) {
      await deleteIfExists(() => core.deleteNamespacedSecret({ name: s.metadata?.name ?? '', namespace: TEAM_A }));
    }
    await deleteIfExists(() => rbac.deleteNamespacedRoleBinding({ name, namespace: TEAM_A }));
    await deleteIfExists(() => rbac.deleteNamespacedRole({ name: roleName, namespace: TEAM_A }));
    await deleteIfExists(() => core.deleteNamespacedServiceAccount({ name, namespace: TEAM_A }));
  });
}

function plan(name: string, roleName: string, over: Partial<IdentityPlan> = {}): IdentityPlan {
  return {
    namespace: TEAM_A,
    name,
    role: { kind: 'file', text: ROLE(roleName), path: 'ci-role.yaml' },
    token: { kind: 'request', durationSeconds: 3600 },
    pipeline: { repo: 'acme/app', environment: 'staging' },
    ...over,
  };
}

describe('pipeline identity lifecycle as developer in team-a', () => {
  const name = uniqueName('pr');
  const roleName = `${name}-deployer`;
  const file = join(dir, `${name}.kubeconfig`);
  const logger = new CapturingLogger();
  cleanupIdentity(name, roleName);
  let firstToken = '';
  let secondToken = '';

  test('create: exported kubeconfig authenticates as the ServiceAccount and may do what the Role grants, nothing else', async () => {
    const store = new FileSecretStore({ kind: 'file', path: file });
    const started = Date.now();
    const result = await createIdentity(plan(name, roleName, { exportTarget: `file:${file}` }), { kubeconfig: developer(), store, logger, records: records(name, `file:${file}`) });
    const ms = Date.now() - started;
    logger.info(`(test) create took ${ms} ms`);
    assert.equal(result.username, `system:serviceaccount:${TEAM_A}:${name}`);
    assert.deepEqual(result.created.map((r) => r.kind), ['ServiceAccount', 'Role', 'RoleBinding', 'Secret']);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    const { kc, token } = loadExported(file);
    firstToken = token;
    assert.equal(kc.getContextObject(kc.getCurrentContext())?.namespace, TEAM_A);
    assert.equal(kc.getCurrentUser()?.exec, undefined);
    assert.equal(await whoami(kc), `system:serviceaccount:${TEAM_A}:${name}`);

    for (const [verb, group, resource] of [
      ['patch', 'apps', 'deployments'],
      ['create', 'apps', 'deployments'],
      ['list', 'apps', 'deployments'],
      ['create', '', 'services'],
      ['update', '', 'configmaps'],
    ] as const) {
      assert.equal(await can(kc, verb, group, resource, TEAM_A), true, `${verb} ${resource} in team-a`);
    }
    for (const [verb, group, resource, ns] of [
      ['get', '', 'secrets', TEAM_A],
      ['list', '', 'secrets', TEAM_A],
      ['delete', 'apps', 'deployments', TEAM_A],
      ['create', 'rbac.authorization.k8s.io', 'roles', TEAM_A],
      ['create', '', 'serviceaccounts', TEAM_A],
      ['create', '', 'pods', TEAM_A],
      ['get', 'apps', 'deployments', TEAM_B],
      ['patch', 'apps', 'deployments', TEAM_B],
      ['list', '', 'secrets', TEAM_B],
    ] as const) {
      assert.equal(await can(kc, verb, group, resource, ns), false, `${verb} ${resource} in ${ns} must be denied`);
    }

    // The audit record on the ServiceAccount (admin reads it; developer could too).
    const sa = await admin().makeApiClient(CoreV1Api).readNamespacedServiceAccount({ name, namespace: TEAM_A });
    const a = sa.metadata?.annotations ?? {};
    assert.equal(sa.metadata?.labels?.[IDENTITY_LABEL], 'true');
    assert.equal(a[ANNOTATIONS.createdBy], 'developer');
    assert.equal(a[ANNOTATIONS.pipeline], 'acme/app (environment staging)');
    assert.equal(a[ANNOTATIONS.exportedTo], store.describe());
    assert.equal(a[ANNOTATIONS.tokenKind], 'request');
    assert.equal(a[ANNOTATIONS.tokenSecret], result.token.secretName);
    assert.ok(Math.abs(Date.parse(a[ANNOTATIONS.tokenExpires] ?? '') - (Date.now() + 3600_000)) < 120_000, 'expiry read back from the server');
    assert.equal(result.token.grantedSeconds, 3600);
    assert.equal(result.token.shortened, false);
    assert.equal(sa.automountServiceAccountToken, false);
    assert.ok(logger.lines.some((l) => l.startsWith('audit: action="create"') && l.includes('by="developer"')));
  });

  test('re-running create is idempotent: the same objects, one live token', async () => {
    const store = new FileSecretStore({ kind: 'file', path: file });
    const result = await createIdentity(plan(name, roleName, { exportTarget: `file:${file}` }), { kubeconfig: developer(), store, logger, records: records(name, `file:${file}`) });
    assert.deepEqual(result.created.map((r) => r.kind), ['Secret']);
    assert.deepEqual(result.updated.map((r) => r.kind), ['ServiceAccount', 'Role', 'RoleBinding']);
    const { kc, token } = loadExported(file);
    assert.equal(await whoami(kc), `system:serviceaccount:${TEAM_A}:${name}`);
    await waitFor('the replaced token to be rejected', () => rejected(loadFromToken(firstToken)), { timeoutMs: 30_000 });
    firstToken = token;
  });

  test('rotate: the old token fails authentication (401), the new one works', async () => {
    const store = new FileSecretStore({ kind: 'file', path: file });
    const result = await rotateToken({ namespace: TEAM_A, name, durationSeconds: 7200 }, { kubeconfig: developer(), store, logger, records: records(name, `file:${file}`) });
    const { kc, token } = loadExported(file);
    secondToken = token;
    assert.notEqual(token, firstToken);
    assert.equal(await whoami(kc), `system:serviceaccount:${TEAM_A}:${name}`);
    assert.ok(result.revokedSecret, 'the old bound Secret was deleted (proven by this machine\'s record: developer may not read Secrets)');
    assert.equal(result.oldToken.state, 'refused', JSON.stringify(result.oldToken));
    assert.equal(await rejected(loadFromToken(firstToken)), true);
    const sa = await admin().makeApiClient(CoreV1Api).readNamespacedServiceAccount({ name, namespace: TEAM_A });
    assert.equal(sa.metadata?.annotations?.[ANNOTATIONS.tokenSecret], result.token.secretName);
    assert.ok(sa.metadata?.annotations?.[ANNOTATIONS.lastRotated]);
    assert.equal(sa.metadata?.annotations?.[ANNOTATIONS.lastRotatedBy], 'developer');
    assert.ok(logger.lines.some((l) => l.startsWith('audit: action="rotate"')));
  });

  test('revoke: nothing is left behind and the token no longer authenticates', async () => {
    const store = new FileSecretStore({ kind: 'file', path: file });
    const result = await revokeIdentity({ namespace: TEAM_A, name, deleteStoredSecret: true }, { kubeconfig: developer(), store, logger, records: records(name) });
    assert.equal(result.deleted.length, 4, result.deleted.join(', '));
    assert.equal(result.oldToken.state, 'refused', JSON.stringify(result.oldToken));
    assert.equal(await recordStore.get(recordKey(developer().server, TEAM_A, name)), undefined, 'the record goes with the identity');
    assert.equal(result.storeDeleted, store.describe());
    assert.throws(() => statSync(file), /ENOENT/);
    assert.deepEqual(await leftovers(name, roleName), []);
    await waitFor('the revoked token to be rejected with 401', () => rejected(loadFromToken(secondToken)), { timeoutMs: 30_000 });
  });

  test('no log line holds a token', () => {
    const text = logger.lines.join('\n');
    for (const t of [firstToken, secondToken]) {
      assert.ok(t.length > 100);
      assert.ok(!text.includes(t));
      assert.ok(!text.includes(t.split('.')[2] ?? 'x'), 'not even the signature');
    }
  });
});

function loadFromToken(token: string): KubeConfig {
  const cluster = admin().getCurrentCluster();
  assert.ok(cluster);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 't', token }],
    contexts: [{ name: 't', cluster: cluster.name, user: 't', namespace: TEAM_A }],
    currentContext: 't',
  });
  return kc;
}

describe('refusals and failures leave nothing behind', () => {
  test('a Role the developer cannot grant is refused before anything is created', async () => {
    const name = uniqueName('pr');
    const roleName = `${name}-greedy`;
    cleanupIdentity(name, roleName);
    const greedy = `${ROLE(roleName)}  - apiGroups: [""]\n    resources: [secrets]\n    verbs: [get, list]\n  - apiGroups: [""]\n    resources: [pods/exec]\n    verbs: [create]\n`;
    const file = join(dir, `${name}.kubeconfig`);
    const store = new FileSecretStore({ kind: 'file', path: file });
    const logger = new CapturingLogger();
    await assert.rejects(createIdentity(plan(name, roleName, { role: { kind: 'file', text: greedy, path: 'greedy.yaml' } }), { kubeconfig: developer(), store, logger }), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.equal(e.kind, 'role-check');
      assert.ok(e.reasons.some((r) => r.startsWith('greedy.yaml:') && r.includes('secrets') && r.endsWith('[not-held]')), e.reasons.join('\n'));
      assert.ok(e.reasons.some((r) => r.includes('pods/exec')), e.reasons.join('\n'));
      return true;
    });
    assert.deepEqual(await leftovers(name, roleName), []);
    assert.throws(() => statSync(file), /ENOENT/);
  });

  test('a failure injected after the Role is created rolls back; a re-run succeeds', async () => {
    const name = uniqueName('pr');
    const roleName = `${name}-deployer`;
    cleanupIdentity(name, roleName);
    const store = new FileSecretStore({ kind: 'file', path: join(dir, `${name}.kubeconfig`) });
    const deps: IdentityDeps = {
      kubeconfig: developer(),
      store,
      afterStep: async (step, created) => {
        if (step !== 'role') return;
        // The objects really exist at this point.
        assert.deepEqual(created.map((c) => c.kind), ['ServiceAccount', 'Role']);
        await admin().makeApiClient(RbacAuthorizationV1Api).readNamespacedRole({ name: roleName, namespace: TEAM_A });
        throw new Error('injected: the network went away');
      },
    };
    await assert.rejects(createIdentity(plan(name, roleName), deps), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.match(e.message, /injected: the network went away/);
      assert.match(e.message, new RegExp(`Rolled back: Role ${TEAM_A}/${roleName}, ServiceAccount ${TEAM_A}/${name}`));
      return true;
    });
    assert.deepEqual(await leftovers(name, roleName), []);

    const ok = await createIdentity(plan(name, roleName), { kubeconfig: developer(), store, records: records(name) });
    assert.equal(ok.created.length, 4);
    await revokeIdentity({ namespace: TEAM_A, name, deleteStoredSecret: true }, { kubeconfig: developer(), store, records: records(name) });
    assert.deepEqual(await leftovers(name, roleName), []);
  });

  test('an export to a store that fails rolls back everything, the token Secret included', async () => {
    const name = uniqueName('pr');
    const roleName = `${name}-deployer`;
    cleanupIdentity(name, roleName);
    const store = new FileSecretStore({ kind: 'file', path: join(dir, 'no-such-dir', 'k.yaml') });
    await assert.rejects(createIdentity(plan(name, roleName), { kubeconfig: developer(), store }), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.equal(e.step, 'export');
      assert.match(e.message, /directory does not exist/);
      assert.match(e.message, /Rolled back: Secret team-a\/.*-token-\w+, RoleBinding/);
      return true;
    });
    assert.deepEqual(await leftovers(name, roleName), []);
  });

  test('binding a Role that does not exist is refused before anything is created', async () => {
    const name = uniqueName('pr');
    cleanupIdentity(name, 'no-such-role');
    const store = new FileSecretStore({ kind: 'file', path: join(dir, `${name}.kubeconfig`) });
    await assert.rejects(createIdentity(plan(name, 'x', { role: { kind: 'existing', name: 'no-such-role' } }), { kubeconfig: developer(), store }), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.equal(e.kind, 'role-check');
      assert.match(e.message, /no-such-role/);
      return true;
    });
    assert.deepEqual(await leftovers(name, 'no-such-role'), []);
  });

  test("if the engine check were wrong, the apiserver's dry run refuses first and its message is quoted", async () => {
    const name = uniqueName('pr');
    const roleName = `${name}-greedy`;
    cleanupIdentity(name, roleName);
    const greedy = `${ROLE(roleName)}  - apiGroups: [""]\n    resources: [secrets]\n    verbs: [get]\n`;
    const store = new FileSecretStore({ kind: 'file', path: join(dir, `${name}.kubeconfig`) });
    // Pretend the user held everything, so only the apiserver stands in the way.
    const everything = async () => ({ catalog: builtinCatalog(), held: { source: 'pretend', superuser: true, namespaces: {} } });
    await assert.rejects(
      createIdentity(plan(name, roleName, { role: { kind: 'file', text: greedy } }), { kubeconfig: developer(), store, roleCheckOptions: everything }),
      (e: unknown) => {
        assert.ok(e instanceof IdentityError);
        assert.equal(e.kind, 'forbidden');
        assert.match(e.message, /is attempting to grant RBAC permissions not currently held/);
        assert.match(e.message, /Nothing had been created/);
        return true;
      },
    );
    assert.deepEqual(await leftovers(name, roleName), []);
  });

  test('the long-lived token Secret needs `get secrets`, which developer lacks: refused at preflight with the fix', async () => {
    const name = uniqueName('pr');
    const roleName = `${name}-deployer`;
    cleanupIdentity(name, roleName);
    const store = new FileSecretStore({ kind: 'file', path: join(dir, `${name}.kubeconfig`) });
    await assert.rejects(createIdentity(plan(name, roleName, { token: { kind: 'secret' } }), { kubeconfig: developer(), store }), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.equal(e.kind, 'forbidden');
      assert.equal(e.step, 'preflight');
      assert.deepEqual(e.reasons, ['get secrets (to read the token the controller writes into the Secret)']);
      assert.match(e.message, /kubectl -n team-a create rolebinding pipeline-identity-manager --role=pipeline-identity-manager --user=developer/);
      return true;
    });
    assert.deepEqual(await leftovers(name, roleName), []);
  });
});

describe('the long-lived token Secret (admin, who may read Secrets)', () => {
  test('waits for the tokens controller, authenticates, and is revoked by deleting the Secret', async () => {
    const name = uniqueName('pr');
    const roleName = `${name}-deployer`;
    cleanupIdentity(name, roleName);
    const file = join(dir, `${name}.kubeconfig`);
    const store = new FileSecretStore({ kind: 'file', path: file });
    const adminLoaded = loadKubeconfig({ kubeconfig: clusterKubeconfigs().admin, trusted: true });
    const result = await createIdentity(plan(name, roleName, { token: { kind: 'secret' } }), { kubeconfig: adminLoaded, store, legacyTokenTimeoutMs: 30_000 });
    assert.equal(result.token.kind, 'secret');
    assert.ok(result.warnings.some((w) => /never expires/.test(w)));
    const { kc, token } = loadExported(file);
    assert.equal(await whoami(kc), `system:serviceaccount:${TEAM_A}:${name}`);
    await revokeIdentity({ namespace: TEAM_A, name, deleteStoredSecret: true }, { kubeconfig: adminLoaded, store });
    await waitFor('the legacy token to be rejected', () => rejected(loadFromToken(token)), { timeoutMs: 30_000 });
    assert.deepEqual(await leftovers(name, roleName), []);
  });
});
