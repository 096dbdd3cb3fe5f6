// The rules that keep rotate and revoke from being a confused deputy, on an in-memory cluster: the export record
// this machine keeps, the CLI's target decision, the proof that a Secret is the identity's token, the old-token
// check, the store-last ordering, insecure endpoints and kubeconfigs written into a Git work tree.
// test/cluster/identityDeputy.test.ts proves the same against the real apiserver.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { V1Secret, V1ServiceAccount } from '@kubernetes/client-node';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import { resolveTarget, recordableSpec } from '../../server/src/cli/identityTarget';
import { createIdentity, type IdentityDeps } from '../../server/src/core/lifecycle/create';
import { IdentityError } from '../../server/src/core/lifecycle/errors';
import { claimedExport, defaultRecordsPath, FileExportRecords, KeyValueExportRecords, recordExport, recordKey, type ExportRecord } from '../../server/src/core/lifecycle/exportRecords';
import { revokeIdentity } from '../../server/src/core/lifecycle/revoke';
import { rotateToken } from '../../server/src/core/lifecycle/rotate';
import { pipelineSnippets } from '../../server/src/core/lifecycle/snippets';
import { serviceAccountTokenIn, waitUntilRefused } from '../../server/src/core/lifecycle/tokenProbe';
import { findTokenSecrets, tokenSecretProof } from '../../server/src/core/lifecycle/tokenSecrets';
import { ANNOTATIONS, OWNER_LABEL, type IdentityPlan } from '../../server/src/core/lifecycle/types';
import { LiveError } from '../../server/src/core/live/liveError';
import { FileSecretStore } from '../../server/src/core/stores/file';
import { gitWarningFor } from '../../server/src/core/stores/gitWorkTree';
import { StoreError } from '../../server/src/core/stores/secretStore';
import { FakeCluster, fakeLoaded, MemoryStore } from './identityFakes';

const dir = mkdtempSync(join(tmpdir(), 'identity-deputy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const RULES = [
  { apiGroups: [''], resources: ['serviceaccounts', 'serviceaccounts/token', 'secrets'], verbs: ['get', 'list', 'create', 'patch', 'delete'] },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['get', 'create', 'patch', 'delete'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'patch'] },
];
const ROLE = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: deployer\nrules:\n  - apiGroups: [apps]\n    resources: [deployments]\n    verbs: [get, patch]\n';
const plan = (over: Partial<IdentityPlan> = {}): IdentityPlan => ({ namespace: 'team-a', name: 'ci', role: { kind: 'file', text: ROLE }, token: { kind: 'request', durationSeconds: 3600 }, ...over });

class MapBackend {
  readonly map = new Map<string, unknown>();
  get(k: string): unknown {
    return this.map.get(k);
  }
  async update(k: string, v: unknown): Promise<void> {
    if (v === undefined) this.map.delete(k);
    else this.map.set(k, v);
  }
}

function setup() {
  const cluster = new FakeCluster();
  const store = new MemoryStore();
  const records = { store: new KeyValueExportRecords(new MapBackend()), key: recordKey('https://k8s.example.com:6443/', 'team-a', 'ci'), target: 'file:/tmp/ci.kubeconfig' };
  const deps: IdentityDeps = {
    kubeconfig: fakeLoaded(),
    store,
    cluster,
    records,
    roleCheckOptions: async () => ({ catalog: builtinCatalog(), held: { source: 'test', user: { username: 'developer', groups: [] }, namespaces: { 'team-a': { rules: RULES, incomplete: false } }, access: {} } }),
  };
  const probe = async (t: string) => (cluster.tokenValid(t) ? ('accepted' as const) : ('refused' as const));
  return { cluster, store, records, deps, probe };
}

const tokenOf = (kubeconfig: string | undefined) => /token: (\S+)/.exec(kubeconfig ?? '')?.[1] ?? '';
const saOf = (c: FakeCluster) => c.get<V1ServiceAccount>('ServiceAccount', 'team-a', 'ci');

/** What an edit-level user does: point the annotations elsewhere (the fake applies them like a patch). */
function hostile(c: FakeCluster, victim = '/home/op/.bashrc'): void {
  const sa = saOf(c);
  assert.ok(sa?.metadata);
  sa.metadata.annotations = { ...sa.metadata.annotations, [ANNOTATIONS.exportTarget]: `file:${victim}`, [ANNOTATIONS.tokenSecret]: 'prod-db-credentials', [ANNOTATIONS.exportedTo]: 'GitHub Actions secret X of evil/repo' };
  c.objects.set('Secret/team-a/prod-db-credentials', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'prod-db-credentials', namespace: 'team-a', uid: 'db-uid' } } as never);
}

describe('the local export record', () => {
  test('the CLI file: 0600 in a 0700 directory, keyed by API server + namespace + name, atomic, survives bad entries', async () => {
    const path = join(dir, 'cfg', 'pipeline-rbac', 'exports.json');
    const records = new FileExportRecords(path);
    assert.equal(await records.get('k'), undefined, 'no file yet');
    const key = recordKey('https://API.example.com:6443/', 'team-a', 'ci');
    assert.equal(key, recordKey('https://api.example.com:6443', 'team-a', 'ci'), 'the server is normalised');
    assert.notEqual(key, recordKey('https://other.example.com:6443', 'team-a', 'ci'));
    const rec: ExportRecord = { target: 'github:acme/app:KUBECONFIG', tokenSecret: { name: 'ci-token-abcde', uid: 'u1' }, at: '2026-01-01T00:00:00Z' };
    await records.set(key, rec);
    assert.deepEqual(await records.get(key), rec);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'cfg', 'pipeline-rbac')).mode & 0o777, 0o700);
    writeFileSync(path, `{${JSON.stringify(key)}: ${JSON.stringify(rec)}, "junk": {"target": 7}, "__proto__": {"target": "file:/x", "at": "y"}}`);
    assert.deepEqual(await records.get(key), rec);
    assert.equal(await records.get('junk'), undefined);
    assert.equal(({} as { target?: unknown }).target, undefined, 'a "__proto__" key pollutes nothing');
    assert.equal(await records.get('toString'), undefined);
    await records.delete(key);
    assert.equal(await records.get(key), undefined);
    writeFileSync(path, '{not json');
    await assert.rejects(records.get(key), /not valid JSON/);
    assert.match((await recordExport({ store: records, key, target: 'file:/x' }, undefined, 'now')) ?? '', /not recorded in .*exports\.json/, 'a failed record is a warning');
  });

  test('the config directory: $XDG_CONFIG_HOME when absolute, else ~/.config', () => {
    assert.equal(defaultRecordsPath({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/me' }), '/x/cfg/pipeline-rbac/exports.json');
    assert.equal(defaultRecordsPath({ XDG_CONFIG_HOME: 'relative', HOME: '/home/me' }), '/home/me/.config/pipeline-rbac/exports.json');
  });
});

describe('the CLI decides the target from the flag or the record, never the annotation', () => {
  const base = { identity: 'team-a/ci', purpose: 'rotate the token', recordsPath: '/h/.config/pipeline-rbac/exports.json' };
  const record: ExportRecord = { target: 'gitlab:acme/app:KUBECONFIG', gitlabMode: 'masked-base64', at: '2026-01-01T00:00:00Z' };

  test('--export wins; the record is used only with --use-recorded-target, and printed first', () => {
    assert.deepEqual(resolveTarget({ ...base, given: 'vault:secret/ci', useRecorded: false, record }), { ok: true, spec: 'vault:secret/ci', source: 'flag' });
    const shown = resolveTarget({ ...base, useRecorded: false, record, claimed: 'file:/home/op/.bashrc' });
    assert.equal(shown.ok, false);
    assert.match(!shown.ok ? shown.message : '', /exported from this machine to gitlab:acme\/app:KUBECONFIG \(--gitlab-mode masked-base64\) \(recorded 2026-01-01.*--use-recorded-target/);
    const used = resolveTarget({ ...base, useRecorded: true, record });
    assert.deepEqual(used, { ok: true, spec: record.target, source: 'record', gitlabMode: 'masked-base64', notice: 'Using the export target this machine recorded for team-a/ci (2026-01-01T00:00:00Z): gitlab:acme/app:KUBECONFIG (--gitlab-mode masked-base64)' });
  });

  test('without a record, the annotation is quoted as cluster text and never used, whatever the flags', () => {
    for (const useRecorded of [false, true]) {
      const a = resolveTarget({ ...base, useRecorded, claimed: 'file:/home/op/.bashrc\u001b[2J' });
      assert.equal(a.ok, false);
      const m = !a.ok ? a.message : '';
      assert.match(m, /no record of exporting team-a\/ci .*give --export TARGET/);
      assert.ok(m.includes('"file:/home/op/.bashrc\\u001b[2J"') && m.includes('not used'), m);
    }
    assert.equal(resolveTarget({ ...base, useRecorded: true, record: { target: 'vscode:key', at: 'x' } }).ok, false, "VS Code's SecretStorage is not the CLI's");
  });

  test('a file target is recorded with its absolute path', () => {
    assert.equal(recordableSpec('file:k/ci.yaml', '/work'), 'file:/work/k/ci.yaml');
    assert.equal(recordableSpec('github:a/b@prod:K', '/work'), 'github:a/b@prod:K');
  });
});

describe('a Secret is deleted only when it provably is the identity\'s token', () => {
  const sa = { name: 'ci', uid: 'sa-uid' };
  const owned = (over: Partial<V1Secret['metadata']> = {}): V1Secret => ({
    type: 'Opaque',
    metadata: { name: 'ci-token-x', uid: 's1', labels: { [OWNER_LABEL]: 'ci' }, ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'ci', uid: 'sa-uid' }], ...over },
  });

  test('the proof', () => {
    assert.deepEqual(tokenSecretProof(owned(), sa), { ok: true });
    assert.equal(tokenSecretProof(owned({ labels: {} }), sa).ok, false);
    assert.equal(tokenSecretProof(owned({ ownerReferences: [] }), sa).ok, false);
    assert.equal(tokenSecretProof(owned({ ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'ci', uid: 'other' }] }), sa).ok, false);
    assert.equal(tokenSecretProof(owned(), { name: 'ci' }).ok, false, 'no ServiceAccount uid, no proof');
    const legacy = (name: string, uid?: string): V1Secret => ({ type: 'kubernetes.io/service-account-token', metadata: { name: 't', annotations: { 'kubernetes.io/service-account.name': name, ...(uid ? { 'kubernetes.io/service-account.uid': uid } : {}) } } });
    assert.deepEqual(tokenSecretProof(legacy('ci', 'sa-uid'), sa), { ok: true });
    assert.deepEqual(tokenSecretProof(legacy('ci'), sa), { ok: true });
    assert.equal(tokenSecretProof(legacy('ci', 'old-uid'), sa).ok, false);
    assert.match((tokenSecretProof(legacy('default'), sa) as { reason: string }).reason, /ServiceAccount default/);
    assert.match((tokenSecretProof({ type: 'Opaque', metadata: { name: 'prod-db' } }, sa) as { reason: string }).reason, /without the label/);
  });

  test('a user who may not read Secrets proves only what this machine recorded, by uid precondition', async () => {
    const cluster = new FakeCluster();
    cluster.objects.set('Secret/team-a/ci-token-a', { kind: 'Secret', metadata: { name: 'ci-token-a', namespace: 'team-a', uid: 'ua' } });
    cluster.objects.set('Secret/team-a/prod-db', { kind: 'Secret', metadata: { name: 'prod-db', namespace: 'team-a', uid: 'ub' } });
    const forbidden = new LiveError('forbidden', 'forbidden', 403);
    cluster.failures.set('list Secret', forbidden);
    cluster.failures.set('read Secret', forbidden);
    const found = await findTokenSecrets(cluster, { namespace: 'team-a', serviceAccount: { name: 'ci', uid: 'sa' }, claimed: 'prod-db', recorded: { name: 'ci-token-a', uid: 'ua' } });
    assert.deepEqual(found.proven, [{ name: 'ci-token-a', uid: 'ua', by: 'record' }]);
    assert.deepEqual(found.refused.map((r) => r.name), ['prod-db']);
    assert.match(found.refused[0]?.reason ?? '', /may not read it/);
    // The precondition: another object under the recorded name is never deleted.
    await assert.rejects(cluster.delete({ kind: 'Secret', namespace: 'team-a', name: 'ci-token-a' }, { uid: 'other' }), /Precondition/);
    assert.ok(cluster.has('Secret', 'team-a', 'ci-token-a'));
  });
});

describe('rotate and revoke with hostile annotations (in memory)', () => {
  test('rotate: writes only the chosen store, keeps the unrelated Secret, revokes the real old token and checks it is refused', async () => {
    const { cluster, store, deps, records, probe } = setup();
    await createIdentity(plan(), deps);
    const oldToken = tokenOf(store.value);
    hostile(cluster);
    const r = await rotateToken({ namespace: 'team-a', name: 'ci' }, { kubeconfig: deps.kubeconfig, store, cluster, records, probe, probeTimeoutMs: 0 });
    assert.ok(cluster.has('Secret', 'team-a', 'prod-db-credentials'));
    assert.equal(cluster.tokenValid(oldToken), false);
    assert.deepEqual(r.leftAlone.map((l) => l.name), ['prod-db-credentials']);
    assert.equal(r.oldToken.state, 'refused');
    assert.ok(r.warnings.some((w) => w.includes('prod-db-credentials, named by the ServiceAccount\'s token-secret annotation, was left alone')));
    assert.equal((await records.store.get(records.key))?.tokenSecret?.name, r.token.secretName, 'the record follows the new token');
  });

  test('revoke: deletes the identity, never the Secret the annotation names; the token is refused', async () => {
    const { cluster, store, deps, records, probe } = setup();
    await createIdentity(plan(), deps);
    const token = tokenOf(store.value);
    hostile(cluster);
    const r = await revokeIdentity({ namespace: 'team-a', name: 'ci', deleteStoredSecret: true }, { kubeconfig: deps.kubeconfig, cluster, store, records, probe, probeTimeoutMs: 0 });
    assert.deepEqual([...cluster.objects.keys()], ['Secret/team-a/prod-db-credentials']);
    assert.equal(cluster.tokenValid(token), false);
    assert.equal(r.oldToken.state, 'refused');
    assert.equal(store.value, undefined);
    assert.equal(await records.store.get(records.key), undefined);
  });

  test('create re-run with a hostile token-secret annotation revokes only its own previous token', async () => {
    const { cluster, store, deps } = setup();
    await createIdentity(plan(), deps);
    const first = tokenOf(store.value);
    hostile(cluster);
    const again = await createIdentity(plan(), deps);
    assert.ok(cluster.has('Secret', 'team-a', 'prod-db-credentials'));
    assert.equal(cluster.tokenValid(first), false);
    assert.ok(again.warnings.some((w) => w.includes('prod-db-credentials')));
  });

  test('the token kind is the user\'s choice, not the annotation\'s (no never-expiring token on a rewritten annotation)', async () => {
    const { cluster, store, deps, records, probe } = setup();
    await createIdentity(plan(), deps);
    const sa = saOf(cluster);
    if (sa?.metadata?.annotations) sa.metadata.annotations[ANNOTATIONS.tokenKind] = 'secret';
    const r = await rotateToken({ namespace: 'team-a', name: 'ci' }, { kubeconfig: deps.kubeconfig, store, cluster, records, probe, probeTimeoutMs: 0 });
    assert.equal(r.token.kind, 'request');
  });
});

describe('ordering: the store write is the last step that can fail', () => {
  test('rotate: a failed store write leaves the store and the annotations as they were; the old token works', async () => {
    const { cluster, store, deps, records, probe } = setup();
    await createIdentity(plan(), deps);
    const before = structuredClone(saOf(cluster)?.metadata?.annotations);
    const old = store.value;
    store.failPut = new StoreError('server', 'GitHub failed (502).', 502);
    await assert.rejects(rotateToken({ namespace: 'team-a', name: 'ci' }, { kubeconfig: deps.kubeconfig, store, cluster, records, probe }), /The store was not changed/);
    assert.equal(store.value, old);
    assert.deepEqual(saOf(cluster)?.metadata?.annotations, before);
    assert.ok(cluster.tokenValid(tokenOf(old)));
  });

  test('create: a failure after the store replaced its value says exactly what the store now holds', async () => {
    const { cluster, store, deps } = setup();
    await createIdentity(plan(), deps);
    const failing: IdentityDeps = { ...deps, afterStep: (s) => { if (s === 'export') throw new Error('injected after the export'); } };
    await assert.rejects(createIdentity(plan(), failing), (e: unknown) => {
      assert.ok(e instanceof IdentityError);
      assert.match(e.message, /memory store now holds the kubeconfig of this run, whose token the rollback revoked; the kubeconfig it held before was replaced and is gone/);
      return true;
    });
    assert.equal(cluster.tokenValid(tokenOf(store.value)), false, 'that is literally true');
  });

  test('create: the annotations are applied before the store write (a failed write leaves no store change)', async () => {
    const { cluster, store, deps } = setup();
    const order: string[] = [];
    const put = store.put.bind(store);
    store.put = async (v) => (order.push('put'), put(v));
    const apply = cluster.apply.bind(cluster);
    cluster.apply = async (o, opts) => (opts?.dryRun ? undefined : order.push(`apply ${o.kind}`), apply(o, opts));
    await createIdentity(plan(), deps);
    assert.equal(order.at(-1), 'put');
    assert.equal(order.filter((o) => o === 'apply ServiceAccount').length, 2, 'created, then annotated, both before the store');
  });
});

describe('insecure endpoints', () => {
  test('rotate refuses an http:// server unless allowed; nothing is created', async () => {
    const { cluster, store, deps, records, probe } = setup();
    await createIdentity(plan(), deps);
    const before = [...cluster.objects.keys()].sort();
    await assert.rejects(rotateToken({ namespace: 'team-a', name: 'ci', server: 'http://k8s.example.com' }, { kubeconfig: deps.kubeconfig, store, cluster, records, probe }), /plain http/);
    assert.deepEqual([...cluster.objects.keys()].sort(), before);
    const ok = await rotateToken({ namespace: 'team-a', name: 'ci', server: 'http://k8s.example.com', allowInsecureServer: true }, { kubeconfig: deps.kubeconfig, store, cluster, records, probe, probeTimeoutMs: 0 });
    assert.ok(ok.warnings.some((w) => /insecure, as you allowed/.test(w)));
  });

  test('create refuses it before anything exists', async () => {
    const { cluster, deps } = setup();
    await assert.rejects(createIdentity(plan({ server: 'http://k8s.example.com' }), deps), /Refusing to export a kubeconfig/);
    assert.equal(cluster.objects.size, 0);
  });
});

describe('the old token check', () => {
  test('asks until refused, bounded, and reports the time', async () => {
    let t = 0;
    let answers = ['accepted', 'accepted', 'refused'];
    const probe = async () => answers.shift() as 'accepted' | 'refused';
    const clock = { now: () => t, sleep: async (ms: number) => void (t += ms) };
    assert.deepEqual(await waitUntilRefused(probe, ['tok'], { ...clock, intervalMs: 1000 }), { state: 'refused', seconds: 2 });
    t = 0;
    answers = Array(100).fill('accepted');
    assert.deepEqual(await waitUntilRefused(probe, ['tok'], { ...clock, intervalMs: 1000, timeoutMs: 30_000 }), { state: 'still-accepted', seconds: 30 });
    assert.equal((await waitUntilRefused(probe, [])).state, 'not-checked');
  });

  test('the old token is read back only when it is this ServiceAccount\'s', () => {
    const jwt = (sub: string) => `e30.${Buffer.from(JSON.stringify({ sub })).toString('base64url')}.sig`;
    const kc = (t: string) => `apiVersion: v1\nkind: Config\nusers:\n  - name: u\n    user:\n      token: ${t}\n`;
    assert.equal(serviceAccountTokenIn(kc(jwt('system:serviceaccount:team-a:ci')), 'team-a', 'ci'), jwt('system:serviceaccount:team-a:ci'));
    assert.equal(serviceAccountTokenIn(kc(jwt('system:serviceaccount:team-a:other')), 'team-a', 'ci'), undefined);
    assert.equal(serviceAccountTokenIn('not: [yaml', 'team-a', 'ci'), undefined);
  });
});

describe('kubeconfigs written into a Git work tree', () => {
  const git = spawnSync('git', ['--version']).status === 0;
  test('warns when Git does not ignore the file, not when it does, nothing outside a work tree', { skip: git ? false : 'git is not installed' }, async () => {
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    assert.equal(spawnSync('git', ['init', '-q', repo]).status, 0);
    writeFileSync(join(repo, '.gitignore'), '*.kubeconfig\n');
    assert.match(gitWarningFor(join(repo, 'ci.yaml')) ?? '', /inside the Git work tree .*repo and Git does not ignore it/);
    assert.equal(gitWarningFor(join(repo, 'ci.kubeconfig')), undefined);
    assert.equal(gitWarningFor(join(dir, 'outside.yaml')), undefined);
    const put = await new FileSecretStore({ kind: 'file', path: join(repo, 'k.yaml') }).put('apiVersion: v1\n');
    assert.ok(put.warnings.some((w) => /Git does not ignore it/.test(w)), 'every file export (create, rotate, Export Again, CLI) goes through the store');
    assert.equal(readFileSync(join(repo, 'k.yaml'), 'utf8'), 'apiVersion: v1\n');
  });
  test("a stranger's repository config cannot make the check run a program (core.fsmonitor)", { skip: git ? false : 'git is not installed' }, () => {
    const repo = join(dir, 'hostile-repo');
    const marker = join(dir, 'fsmonitor-ran');
    const run = (...args: string[]) => assert.equal(spawnSync('git', ['-C', repo, ...args]).status, 0, `git ${args.join(' ')}`);
    mkdirSync(repo);
    run('init', '-q');
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    run('add', 'a.txt'); // an index, which check-ignore reads and fsmonitor would be asked about
    const hook = join(dir, 'fsmonitor.sh');
    writeFileSync(hook, `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
    run('config', 'core.fsmonitor', hook);
    assert.match(gitWarningFor(join(repo, 'ci.yaml')) ?? '', /Git does not ignore it/);
    assert.equal(existsSync(marker), false, 'the repository-configured fsmonitor program ran');
  });
});

describe('pipeline snippets', () => {
  test('decode kubeconfigs into a new temporary file, never into the project directory', () => {
    const gl = pipelineSnippets({ target: { kind: 'gitlab', project: 'a/b', key: 'KUBECONFIG_B64' }, namespace: 'n', gitlabVariableType: 'base64' }).gitlab ?? '';
    assert.match(gl, /export KUBECONFIG="\$\(mktemp\)"\n\s+- echo "\$KUBECONFIG_B64" \| base64 -d > "\$KUBECONFIG"/);
    const vault = pipelineSnippets({ target: { kind: 'vault', mount: 'secret', path: 'ci/k' }, namespace: 'n' }).gitlab ?? '';
    assert.match(vault, /KUBECONFIG_PATH="\$\(mktemp\)"/);
    for (const s of [gl, vault]) assert.doesNotMatch(s, /CI_PROJECT_DIR/);
  });
});

test('claimedExport quotes what the annotations say and nothing else', () => {
  const annotations = { 'pipeline-rbac.io/export-target': 'file:/home/victim/.ssh/id_rsa', 'pipeline-rbac.io/exported-to': 'file /tmp/k (mode 0600)', other: 'x' };
  assert.deepEqual(claimedExport(annotations), { target: 'file:/home/victim/.ssh/id_rsa', store: 'file /tmp/k (mode 0600)' });
  assert.deepEqual(claimedExport({ other: 'x' }), {});
  assert.deepEqual(claimedExport(undefined), {});
});
