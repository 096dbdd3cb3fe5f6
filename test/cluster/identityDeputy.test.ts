// Confused deputy: a user who holds only the built-in `edit` ClusterRole in a namespace (so may rewrite any
// ServiceAccount's annotations there) points a pipeline identity's annotations at a victim file, an unrelated
// Secret and a made-up store. An admin then rotates and revokes it, through the core functions and the bundled
// CLI: no file outside the target the admin chose is touched, no unrelated Secret is deleted, and the identity
// is still fully rotated and revoked (its old token refused by the apiserver).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1Secret } from '@kubernetes/client-node';
import { createIdentity } from '../../server/src/core/lifecycle/create';
import { FileExportRecords, recordKey } from '../../server/src/core/lifecycle/exportRecords';
import { KubeIdentityCluster } from '../../server/src/core/lifecycle/kube';
import { revokeIdentity } from '../../server/src/core/lifecycle/revoke';
import { LiveError } from '../../server/src/core/live/liveError';
import { rotateToken } from '../../server/src/core/lifecycle/rotate';
import { ANNOTATIONS, OWNER_LABEL, type IdentityPlan } from '../../server/src/core/lifecycle/types';
import { loadKubeconfig } from '../../server/src/core/live/kubeconfig';
import { FileSecretStore } from '../../server/src/core/stores/file';
import { apiStatus, clusterKubeconfigs, deleteIfExists, kubeConfigFor, uniqueName, waitFor } from './harness';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'pipeline-deputy-'));
const ns = uniqueName('deputy');
const VICTIM = join(dir, 'victim');
const VICTIM_TEXT = 'the operator\'s precious file\n';
const UNRELATED = 'prod-db-credentials';

const admin = () => kubeConfigFor('admin');
const core = () => admin().makeApiClient(CoreV1Api);
const adminLoaded = () => loadKubeconfig({ kubeconfig: clusterKubeconfigs().admin, trusted: true });

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

/** What the `edit`-level user (viewer, bound to `edit` in this namespace only) writes onto the ServiceAccount. */
async function hostileAnnotations(name: string): Promise<void> {
  const api = kubeConfigFor('viewer').makeApiClient(CoreV1Api);
  const sa = await api.readNamespacedServiceAccount({ name, namespace: ns });
  sa.metadata = {
    ...sa.metadata,
    annotations: {
      ...(sa.metadata?.annotations ?? {}),
      [ANNOTATIONS.exportTarget]: `file:${VICTIM}`,
      [ANNOTATIONS.tokenSecret]: UNRELATED,
      [ANNOTATIONS.exportedTo]: 'GitHub Actions secret KUBECONFIG of attacker/repo',
    },
  };
  await api.replaceNamespacedServiceAccount({ name, namespace: ns, body: sa });
}

function tokenIn(path: string): string {
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(path, 'utf8'));
  const token = kc.getCurrentUser()?.token;
  assert.ok(token);
  return token;
}

async function refused(token: string): Promise<boolean> {
  const cluster = admin().getCurrentCluster();
  assert.ok(cluster);
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [cluster], users: [{ name: 't', token }], contexts: [{ name: 't', cluster: cluster.name, user: 't' }], currentContext: 't' });
  try {
    await kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ns });
    return false;
  } catch (err) {
    return apiStatus(err)?.code === 401;
  }
}

async function unrelatedStillThere(): Promise<void> {
  const s = await core().readNamespacedSecret({ name: UNRELATED, namespace: ns });
  assert.equal(Buffer.from(s.data?.['password'] ?? '', 'base64').toString(), 'hunter2');
}

function victimUntouched(): void {
  assert.equal(readFileSync(VICTIM, 'utf8'), VICTIM_TEXT);
}

async function ownedSecrets(name: string): Promise<V1Secret[]> {
  return (await core().listNamespacedSecret({ namespace: ns, labelSelector: `${OWNER_LABEL}=${name}` })).items;
}

before(async () => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  assert.equal(build.status, 0, `build failed:\n${build.stdout}\n${build.stderr}`);
  writeFileSync(VICTIM, VICTIM_TEXT, { mode: 0o600 });
  await core().createNamespace({ body: { metadata: { name: ns } } });
  await admin().makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
    namespace: ns,
    body: {
      metadata: { name: 'viewer-edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'viewer' }],
    },
  });
  await core().createNamespacedSecret({ namespace: ns, body: { metadata: { name: UNRELATED }, stringData: { password: 'hunter2' } } });
});

after(async () => {
  await deleteIfExists(() => core().deleteNamespace({ name: ns })).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('an edit-level user rewrites the annotations; an admin rotates and revokes (core functions)', () => {
  const name = uniqueName('pr');
  const file = join(dir, `${name}.kubeconfig`);
  const records = () => ({ store: new FileExportRecords(join(dir, 'core-config', 'exports.json')), key: recordKey(adminLoaded().server, ns, name), target: `file:${file}` });
  let firstToken = '';
  let secondToken = '';

  test('create sets an ownerReference to the ServiceAccount on the token Secret', async () => {
    const store = new FileSecretStore({ kind: 'file', path: file });
    const r = await createIdentity(plan(name), { kubeconfig: adminLoaded(), store, records: records() });
    firstToken = tokenIn(file);
    const sa = await core().readNamespacedServiceAccount({ name, namespace: ns });
    const secret = await core().readNamespacedSecret({ name: r.token.secretName, namespace: ns });
    assert.deepEqual(secret.metadata?.ownerReferences?.map((o) => `${o.kind}/${o.name}/${o.uid}`), [`ServiceAccount/${name}/${sa.metadata?.uid}`]);
  });

  test('rotate: the chosen file only; the unrelated Secret stays; the real old token is revoked and refused', async (t) => {
    await hostileAnnotations(name);
    const store = new FileSecretStore({ kind: 'file', path: file });
    const r = await rotateToken({ namespace: ns, name }, { kubeconfig: adminLoaded(), store, records: records() });
    victimUntouched();
    await unrelatedStillThere();
    secondToken = tokenIn(file);
    assert.notEqual(secondToken, firstToken);
    assert.equal(r.revokedSecrets.length, 1, r.revokedSecrets.join());
    assert.ok(!r.revokedSecrets.join().includes(UNRELATED));
    assert.deepEqual(r.leftAlone.map((l) => l.name), [UNRELATED]);
    assert.match(r.leftAlone[0]?.reason ?? '', /without the label/);
    assert.equal(r.oldToken.state, 'refused', JSON.stringify(r.oldToken));
    t.diagnostic(`rotate: old token refused after ${r.oldToken.state === 'refused' ? r.oldToken.seconds : '?'} s`);
    assert.equal(await refused(firstToken), true);
    assert.equal(await refused(secondToken), false);
  });

  test('revoke with the stored kubeconfig: the chosen file is deleted, the victim and the unrelated Secret stay, the identity is gone', async (t) => {
    await hostileAnnotations(name);
    const store = new FileSecretStore({ kind: 'file', path: file });
    const r = await revokeIdentity({ namespace: ns, name, deleteStoredSecret: true }, { kubeconfig: adminLoaded(), store, records: records() });
    victimUntouched();
    await unrelatedStillThere();
    assert.throws(() => statSync(file), /ENOENT/);
    assert.ok(r.kept.some((k) => k.startsWith(`Secret ${ns}/${UNRELATED} (named by the token-secret annotation, but not this identity's token`)), r.kept.join('\n'));
    assert.ok(r.deleted.includes(`ServiceAccount ${ns}/${name}`));
    assert.ok(r.deleted.some((d) => d.startsWith(`Secret ${ns}/${name}-token-`)), r.deleted.join());
    assert.equal(r.claimedExport, 'GitHub Actions secret KUBECONFIG of attacker/repo');
    assert.equal(r.oldToken.state, 'refused', JSON.stringify(r.oldToken));
    t.diagnostic(`revoke (token used just before): refused after ${r.oldToken.state === 'refused' ? r.oldToken.seconds : '?'} s`);
    assert.equal(await refused(secondToken), true);
    assert.deepEqual(await ownedSecrets(name), []);
  });

  test('a token Secret the annotation no longer names is still revoked with the identity (garbage collector, ownerReference)', async () => {
    const other = uniqueName('pr');
    const otherFile = join(dir, `${other}.kubeconfig`);
    await createIdentity(plan(other), { kubeconfig: adminLoaded(), store: new FileSecretStore({ kind: 'file', path: otherFile }) });
    const token = tokenIn(otherFile);
    await hostileAnnotations(other);
    // As the developer-like case: this user neither lists nor reads Secrets and has no record, so proves nothing.
    const r = await revokeIdentity({ namespace: ns, name: other }, { kubeconfig: adminLoaded(), cluster: new BlindToSecrets(admin()) });
    await unrelatedStillThere();
    assert.ok(!r.deleted.some((d) => d.startsWith('Secret ')), r.deleted.join());
    assert.ok(r.kept.some((k) => k.includes(UNRELATED) && k.includes('may not read it')), r.kept.join('\n'));
    await waitFor('the token to be refused', () => refused(token), { timeoutMs: 30_000 });
    await waitFor('the garbage collector to delete the owned token Secret', async () => (await ownedSecrets(other)).length === 0, { timeoutMs: 60_000 });
    await unrelatedStillThere();
  });
});

/** The admin's cluster, but as a user who may neither list nor read Secrets (like developer): proves nothing. */
class BlindToSecrets extends KubeIdentityCluster {
  override async listSecrets(): Promise<V1Secret[]> {
    throw new LiveError('listing Secrets failed: forbidden', 'forbidden', 403);
  }
  override async readSecret(): Promise<V1Secret | undefined> {
    throw new LiveError('reading a Secret failed: forbidden', 'forbidden', 403);
  }
}

describe('the same through the bundled CLI, as admin', () => {
  const name = uniqueName('pr');
  const home = join(dir, 'home');
  const otherHome = join(dir, 'other-home');
  mkdirSync(home, { recursive: true });
  mkdirSync(otherHome, { recursive: true });
  const file = join(dir, `${name}-cli.kubeconfig`);
  const cli = (args: string[], h = home) =>
    spawnSync(process.execPath, [CLI, 'identity', ...args, '--namespace', ns, '--name', name, '--kubeconfig', clusterKubeconfigs().admin], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: h },
      timeout: 120_000,
    });
  let firstToken = '';

  test('create records the target on this machine (0600), then the annotations are rewritten', async () => {
    writeFileSync(join(dir, 'cli-role.yaml'), ROLE(`${name}-deployer`));
    const r = cli(['create', '--role-file', 'cli-role.yaml', '--duration', '1h', '--export', `file:${file}`]);
    assert.equal(r.status, 0, r.stderr);
    firstToken = tokenIn(file);
    const recordsFile = join(home, '.config', 'pipeline-rbac', 'exports.json');
    assert.equal(statSync(recordsFile).mode & 0o777, 0o600);
    assert.ok(readFileSync(recordsFile, 'utf8').includes(`file:${file}`));
    await hostileAnnotations(name);
  });

  test('rotate without --export prints the recorded target and changes nothing; a machine without a record refuses and only shows the claim', async () => {
    const r = cli(['rotate']);
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes(`file:${file}`), r.stderr);
    assert.ok(!r.stderr.includes('Using the export target'));
    const elsewhere = cli(['rotate', '--use-recorded-target'], otherHome);
    assert.equal(elsewhere.status, 2, elsewhere.stderr);
    assert.match(elsewhere.stderr, /no record of exporting/);
    assert.ok(elsewhere.stderr.includes(`claims an export to "file:${VICTIM}"`) && /it is not used/.test(elsewhere.stderr), elsewhere.stderr);
    assert.equal(tokenIn(file), firstToken, 'nothing rotated');
    victimUntouched();
  });

  test('rotate --use-recorded-target: the recorded file only, the unrelated Secret stays, old token refused', async () => {
    const r = cli(['rotate', '--use-recorded-target']);
    assert.equal(r.status, 0, r.stderr);
    victimUntouched();
    await unrelatedStillThere();
    assert.notEqual(tokenIn(file), firstToken);
    assert.match(r.stdout, /old token refused after \d+(\.\d)? s/);
    assert.ok(r.stderr.includes(`Secret ${ns}/${UNRELATED}, named by the ServiceAccount's token-secret annotation, was left alone`), r.stderr);
    assert.equal(await refused(firstToken), true);
  });

  test('revoke --delete-secret --use-recorded-target: the recorded file is deleted, the victim and the unrelated Secret stay', async () => {
    await hostileAnnotations(name);
    const token = tokenIn(file);
    const r = cli(['revoke', '--delete-secret', '--use-recorded-target', '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { deleted: string[]; storeDeleted: string; oldToken: { state: string } };
    assert.ok(result.storeDeleted.includes(file));
    assert.equal(result.oldToken.state, 'refused');
    assert.throws(() => statSync(file), /ENOENT/);
    victimUntouched();
    await unrelatedStillThere();
    assert.equal(await refused(token), true);
    assert.deepEqual(await ownedSecrets(name), []);
  });
});
