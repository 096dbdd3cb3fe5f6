// Annotations are claims, never instructions (issue 20, item 5): a user who holds only `edit` in the namespace
// (viewer here) rewrites a pipeline identity's token-duration, role and role-binding annotations; an admin then
// rotates and revokes it on the real apiserver. The minted token lives what the admin's machine recorded (its `exp`
// says so), and revoke deletes the real RoleBinding and Role, or names what still binds the ServiceAccount and
// does not report success (the CLI exits 1).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { createIdentity } from '../../server/src/core/lifecycle/create';
import { FileExportRecords, recordKey } from '../../server/src/core/lifecycle/exportRecords';
import { revokeIdentity } from '../../server/src/core/lifecycle/revoke';
import { rotateToken } from '../../server/src/core/lifecycle/rotate';
import { ANNOTATIONS, type IdentityPlan } from '../../server/src/core/lifecycle/types';
import { loadKubeconfig } from '../../server/src/core/live/kubeconfig';
import { FileSecretStore } from '../../server/src/core/stores/file';
import { apiStatus, clusterKubeconfigs, deleteIfExists, kubeConfigFor, uniqueName } from './harness';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'pipeline-annotations-'));
const ns = uniqueName('annot');
const HUNDRED_YEARS = 3_153_600_000;

const admin = () => kubeConfigFor('admin');
const core = () => admin().makeApiClient(CoreV1Api);
const rbac = () => admin().makeApiClient(RbacAuthorizationV1Api);
const adminLoaded = () => loadKubeconfig({ kubeconfig: clusterKubeconfigs().admin, trusted: true });
const recordStore = new FileExportRecords(join(dir, 'config', 'pipeline-rbac', 'exports.json'));
const records = (name: string, file: string) => ({ store: recordStore, key: recordKey(adminLoaded().server, ns, name), target: `file:${file}` });

const ROLE = (name: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${name}
rules:
  - apiGroups: [apps]
    resources: [deployments]
    verbs: [get, list, patch]
`;

function plan(name: string): IdentityPlan {
  return { namespace: ns, name, role: { kind: 'file', text: ROLE(`${name}-deployer`) }, token: { kind: 'request', durationSeconds: 3600 } };
}

/** What the `edit`-level user writes onto the ServiceAccount. */
async function rewrite(name: string, annotations: Record<string, string>): Promise<void> {
  const api = kubeConfigFor('viewer').makeApiClient(CoreV1Api);
  const sa = await api.readNamespacedServiceAccount({ name, namespace: ns });
  sa.metadata = { ...sa.metadata, annotations: { ...(sa.metadata?.annotations ?? {}), ...annotations } };
  await api.replaceNamespacedServiceAccount({ name, namespace: ns, body: sa });
}

/** The minted token's lifetime as the apiserver signed it (exp - iat). */
function tokenLifetime(path: string): number {
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(path, 'utf8'));
  const token = kc.getCurrentUser()?.token ?? '';
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number; iat: number };
  return claims.exp - claims.iat;
}

async function exists(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (err) {
    if (apiStatus(err)?.code === 404) return false;
    throw err;
  }
}

const bindingExists = (name: string) => exists(() => rbac().readNamespacedRoleBinding({ name, namespace: ns }));
const roleExists = (name: string) => exists(() => rbac().readNamespacedRole({ name, namespace: ns }));

before(async () => {
  await core().createNamespace({ body: { metadata: { name: ns } } });
  await rbac().createNamespacedRoleBinding({
    namespace: ns,
    body: {
      metadata: { name: 'viewer-edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'viewer' }],
    },
  });
});

after(async () => {
  await deleteIfExists(() => core().deleteNamespace({ name: ns })).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('rotate: the token lifetime never comes from the annotation', () => {
  test('a 100-year token-duration annotation: the new token lives the 1 h this machine recorded at create', async () => {
    const name = uniqueName('pr');
    const file = join(dir, `${name}.kubeconfig`);
    const store = new FileSecretStore({ kind: 'file', path: file });
    await createIdentity(plan(name), { kubeconfig: adminLoaded(), store, records: records(name, file) });
    assert.equal(tokenLifetime(file), 3600);
    await rewrite(name, { [ANNOTATIONS.tokenDuration]: String(HUNDRED_YEARS) });
    const r = await rotateToken({ namespace: ns, name }, { kubeconfig: adminLoaded(), store, records: records(name, file) });
    const lifetime = tokenLifetime(file);
    assert.equal(lifetime, 3600, `the minted token lives ${lifetime} s`);
    assert.ok(r.warnings.some((w) => w.includes(`token-duration annotation says "${HUNDRED_YEARS}" s: cluster text, not used`)), r.warnings.join('\n'));
  });

  test('without a record the default 30 days is used, never the annotation; a requested lifetime wins', async () => {
    const name = uniqueName('pr');
    const file = join(dir, `${name}.kubeconfig`);
    const store = new FileSecretStore({ kind: 'file', path: file });
    await createIdentity(plan(name), { kubeconfig: adminLoaded(), store });
    await rewrite(name, { [ANNOTATIONS.tokenDuration]: String(HUNDRED_YEARS) });
    await rotateToken({ namespace: ns, name }, { kubeconfig: adminLoaded(), store });
    assert.equal(tokenLifetime(file), 30 * 86_400);
    await rotateToken({ namespace: ns, name, durationSeconds: 7200 }, { kubeconfig: adminLoaded(), store });
    assert.equal(tokenLifetime(file), 7200);
    await assert.rejects(rotateToken({ namespace: ns, name, durationSeconds: HUNDRED_YEARS }, { kubeconfig: adminLoaded(), store }), /longer than the 365 days/);
    assert.equal(tokenLifetime(file), 7200, 'a refused lifetime changes nothing');
  });
});

describe('revoke: what to delete is proven, and nothing that still binds the name is called revoked', () => {
  test('role and role-binding annotations naming objects that do not exist: the real RoleBinding and Role are deleted', async () => {
    const name = uniqueName('pr');
    const file = join(dir, `${name}.kubeconfig`);
    await createIdentity(plan(name), { kubeconfig: adminLoaded(), store: new FileSecretStore({ kind: 'file', path: file }) });
    assert.equal(await bindingExists(name), true);
    await rewrite(name, { [ANNOTATIONS.roleBinding]: 'no-such-binding', [ANNOTATIONS.role]: 'no-such-role' });
    const r = await revokeIdentity({ namespace: ns, name }, { kubeconfig: adminLoaded() });
    assert.equal(await bindingExists(name), false, 'the real RoleBinding is gone');
    assert.equal(await roleExists(`${name}-deployer`), false, 'the real Role is gone');
    assert.ok(r.deleted.includes(`RoleBinding ${ns}/${name}`) && r.deleted.includes(`Role ${ns}/${name}-deployer`), r.deleted.join());
    assert.ok(!r.alreadyGone.some((g) => g.includes('no-such')), r.alreadyGone.join());
    assert.deepEqual(r.remaining, []);
  });

  test('a binding this tool did not make still names the ServiceAccount: revoke names it, and the CLI exits 1', async () => {
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    assert.equal(build.status, 0, `build failed:\n${build.stdout}\n${build.stderr}`);
    const name = uniqueName('pr');
    const file = join(dir, `${name}.kubeconfig`);
    await createIdentity(plan(name), { kubeconfig: adminLoaded(), store: new FileSecretStore({ kind: 'file', path: file }) });
    // Someone bound the pipeline elsewhere by hand (and the annotation points revoke at a name that does not exist).
    await rbac().createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: `${name}-extra` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
      },
    });
    await rewrite(name, { [ANNOTATIONS.roleBinding]: `${name}-gone` });
    const kubeconfig = join(dir, 'admin.kubeconfig');
    writeFileSync(kubeconfig, readFileSync(clusterKubeconfigs().admin));
    const env = { PATH: process.env['PATH'] ?? '', HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') };
    const run = spawnSync(process.execPath, [CLI, 'identity', 'revoke', '--namespace', ns, '--name', name, '--kubeconfig', kubeconfig], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 1, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, new RegExp(`NOT fully revoked: RoleBinding ${ns}/${name}-extra \\(ClusterRole view\\) still names ServiceAccount ${ns}/${name}`));
    assert.doesNotMatch(run.stdout, /^Revoked pipeline identity/m);
    assert.equal(await bindingExists(name), false, 'the identity\'s own RoleBinding is deleted');
    assert.equal(await bindingExists(`${name}-extra`), true, 'a binding this tool did not make is left alone');
    // A ServiceAccount of the same name created later would get `view`: the second revoke still says so.
    const again = await revokeIdentity({ namespace: ns, name }, { kubeconfig: adminLoaded() });
    assert.deepEqual(again.remaining, [`RoleBinding ${ns}/${name}-extra (ClusterRole view)`]);
    assert.ok(!again.warnings.some((w) => /nothing to revoke/.test(w)), again.warnings.join('\n'));
  });
});
