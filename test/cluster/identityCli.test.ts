// The bundled CLI (dist/cli.js, built here) runs the whole identity lifecycle against the real
// apiserver as developer; every byte it prints is scanned for the tokens it minted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { secretVariants } from '../../server/src/core/stores/redact';
import { OWNER_LABEL } from '../../server/src/core/lifecycle/types';
import { TEAM_A, apiStatus, clusterKubeconfigs, deleteIfExists, kubeConfigFor, uniqueName, waitFor } from './harness';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'pipeline-identity-cli-'));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Every byte any CLI run printed, for the leak scan. */
const transcript: string[] = [];

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, ...env },
    timeout: 120_000,
  });
  transcript.push(r.stdout, r.stderr);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tokenIn(path: string): string {
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(path, 'utf8'));
  const token = kc.getCurrentUser()?.token;
  assert.ok(token && token.length > 100);
  return token;
}

async function rejected(token: string): Promise<boolean> {
  const cluster = kubeConfigFor('admin').getCurrentCluster();
  assert.ok(cluster);
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [cluster], users: [{ name: 't', token }], contexts: [{ name: 't', cluster: cluster.name, user: 't' }], currentContext: 't' });
  try {
    await kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: TEAM_A });
    return false;
  } catch (err) {
    return apiStatus(err)?.code === 401;
  }
}

const name = uniqueName('pr');
const roleName = `${name}-deployer`;

before(() => {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
  writeFileSync(
    join(dir, 'ci-role.yaml'),
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ${roleName}\nrules:\n  - apiGroups: [apps]\n    resources: [deployments]\n    verbs: [get, list, patch, update]\n`,
  );
  writeFileSync(
    join(dir, 'greedy-role.yaml'),
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ${roleName}-greedy\nrules:\n  - apiGroups: [""]\n    resources: [secrets]\n    verbs: [get, list]\n`,
  );
});

after(async () => {
  const core = kubeConfigFor('admin').makeApiClient(CoreV1Api);
  const rbac = kubeConfigFor('admin').makeApiClient(RbacAuthorizationV1Api);
  for (const s of (await core.listNamespacedSecret({ namespace: TEAM_A, labelSelector: `${OWNER_LABEL}=${name}` })).items) {
    await deleteIfExists(() => core.deleteNamespacedSecret({ name: s.metadata?.name ?? '', namespace: TEAM_A }));
  }
  await deleteIfExists(() => rbac.deleteNamespacedRoleBinding({ name, namespace: TEAM_A }));
  await deleteIfExists(() => rbac.deleteNamespacedRole({ name: roleName, namespace: TEAM_A }));
  await deleteIfExists(() => core.deleteNamespacedServiceAccount({ name, namespace: TEAM_A }));
  rmSync(dir, { recursive: true, force: true });
});

describe('pipeline-rbac identity (bundled CLI) as developer', () => {
  const kubeconfig = () => clusterKubeconfigs().developer;
  const out = () => join(dir, 'ci.kubeconfig');
  const tokens: string[] = [];
  let annotationsText = '';

  test('create --format json prints the result, never the token; exit 0', () => {
    const r = cli([
      'identity', 'create', '--namespace', TEAM_A, '--name', name, '--role-file', 'ci-role.yaml', '--duration', '1h',
      '--export', `file:${out()}`, '--kubeconfig', kubeconfig(), '--repo', 'acme/app', '--environment', 'staging', '--format', 'json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { username: string; token: { kind: string; expiresAt: string; grantedSeconds: number }; export: { action: string }; snippets: { github: string } };
    assert.equal(result.username, `system:serviceaccount:${TEAM_A}:${name}`);
    assert.equal(result.token.kind, 'request');
    assert.equal(result.token.grantedSeconds, 3600);
    assert.equal(result.export.action, 'created');
    assert.match(result.snippets.github, /azure\/k8s-set-context/);
    assert.match(r.stderr, /audit: action="create"/);
    assert.equal(statSync(out()).mode & 0o777, 0o600);
    tokens.push(tokenIn(out()));
  });

  test('rotate shows the target this machine recorded and uses it only with --use-recorded-target; the old token gets 401', async () => {
    const shown = cli(['identity', 'rotate', '--namespace', TEAM_A, '--name', name, '--kubeconfig', kubeconfig()]);
    assert.equal(shown.status, 2, shown.stderr);
    assert.ok(shown.stderr.includes(`was exported from this machine to file:${out()}`), shown.stderr);
    assert.match(shown.stderr, /run again with --use-recorded-target/);
    assert.equal(tokenIn(out()), tokens[0], 'nothing was rotated');
    const r = cli(['identity', 'rotate', '--namespace', TEAM_A, '--name', name, '--use-recorded-target', '--kubeconfig', kubeconfig()]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stderr.includes(`Using the export target this machine recorded for ${TEAM_A}/${name}`), r.stderr);
    assert.match(r.stdout, /Old token\s+revoked \(deleted Secret .*\); old token refused after \d+(\.\d)? s/);
    assert.match(r.stdout, /Rotated the token/);
    assert.match(r.stdout, /New token\s+TokenRequest bound to Secret .* \(1h\)/, 'the lifetime asked for last time');
    const fresh = tokenIn(out());
    assert.notEqual(fresh, tokens[0]);
    tokens.push(fresh);
    await waitFor('the old token to get 401', () => rejected(tokens[0] as string), { timeoutMs: 30_000 });
    assert.equal(await rejected(fresh), false);
    const sa = await kubeConfigFor('admin').makeApiClient(CoreV1Api).readNamespacedServiceAccount({ name, namespace: TEAM_A });
    annotationsText = JSON.stringify(sa.metadata);
  });

  test('a Role developer cannot grant: exit 1 with the reasons, nothing created', async () => {
    const other = uniqueName('pr');
    const r = cli(['identity', 'create', '--namespace', TEAM_A, '--name', other, '--role-file', 'greedy-role.yaml', '--export', `file:${join(dir, 'x.kubeconfig')}`, '--kubeconfig', kubeconfig()]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /greedy-role\.yaml:\d+: .*secrets.*\[not-held\]/);
    assert.match(r.stderr, /nothing was created/);
    await assert.rejects(kubeConfigFor('admin').makeApiClient(CoreV1Api).readNamespacedServiceAccount({ name: other, namespace: TEAM_A }), (e: unknown) => apiStatus(e)?.code === 404);
  });

  test('viewer lacks the rights: exit 1, the missing permissions and the fix', () => {
    const r = cli(['identity', 'create', '--namespace', TEAM_A, '--name', uniqueName('pr'), '--role-file', 'ci-role.yaml', '--export', `file:${join(dir, 'y.kubeconfig')}`, '--kubeconfig', clusterKubeconfigs().viewer, '--format', 'json']);
    assert.equal(r.status, 1);
    const err = (JSON.parse(r.stdout) as { error: { kind: string; step: string; reasons: string[] } }).error;
    assert.equal(err.kind, 'forbidden');
    assert.equal(err.step, 'preflight');
    assert.ok(err.reasons.includes('create serviceaccounts (to create the ServiceAccount)'), err.reasons.join('\n'));
    assert.match(r.stderr, /create rolebinding pipeline-identity-manager .*--user=viewer/);
  });

  test('usage errors exit 2', () => {
    assert.equal(cli(['identity', 'create', '--namespace', TEAM_A, '--name', 'x', '--role-file', 'ci-role.yaml']).status, 2);
    assert.equal(cli(['identity', 'create', '--namespace', TEAM_A, '--name', 'Not_Valid', '--role-file', 'ci-role.yaml', '--export', 'file:z', '--kubeconfig', kubeconfig()]).status, 2);
    assert.equal(cli(['identity', 'rotate', '--namespace', TEAM_A, '--name', name, '--duration', '1m', '--use-recorded-target', '--kubeconfig', kubeconfig()]).status, 2);
  });

  test('revoke --delete-secret removes everything, the stored file included', async () => {
    const r = cli(['identity', 'revoke', '--namespace', TEAM_A, '--name', name, '--delete-secret', '--use-recorded-target', '--kubeconfig', kubeconfig(), '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { deleted: string[]; storeDeleted: string };
    assert.equal(result.deleted.length, 4);
    assert.ok(result.storeDeleted.includes(out()));
    assert.throws(() => statSync(out()), /ENOENT/);
    await waitFor('the last token to get 401', () => rejected(tokens[1] as string), { timeoutMs: 30_000 });
  });

  test('no output of any run, and no annotation, holds a token (or its base64, or its signature)', () => {
    assert.equal(tokens.length, 2);
    const all = transcript.join('\n') + annotationsText;
    assert.ok(all.length > 2000, 'the runs printed something to scan');
    for (const token of tokens) {
      for (const v of [...secretVariants(token), token.split('.')[2] ?? '']) {
        assert.ok(v.length >= 16);
        assert.ok(!all.includes(v), 'a token variant appeared in the output');
      }
    }
  });
});
