// `pipeline-rbac identity verify` against the real apiserver: as the pipeline's ServiceAccount (a 10-minute token the
// CLI mints and keeps in memory), dry-run apply plain manifests and a chart; the token is found in no output, log or
// file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import { deployerNeeds } from '../../server/src/core/engine/deployer/needs';
import { manifestKinds } from '../../server/src/core/engine/leastPrivilege/needed';
import { KubeIdentityCluster, type IdentityCluster } from '../../server/src/core/lifecycle/kube';
import { verifyAsIdentity } from '../../server/src/core/verify/asIdentity';
import { manifestDocs } from '../../server/src/core/verify/objects';
import { formatVerify, verifyJson } from '../../server/src/core/verify/report';
import { TEAM_A, TEAM_B, clusterKubeconfigs, deleteIfExists, kubeConfigFor, uniqueName } from './harness';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const FIX = join(ROOT, 'test', 'fixtures', 'render');
const home = mkdtempSync(join(tmpdir(), 'pipeline-verify-'));
const transcript: string[] = [];
const name = uniqueName('verify');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'identity', 'verify', ...args], {
    cwd: FIX,
    encoding: 'utf8',
    // helm comes from the real cache (HOME is a scratch dir for the leak scan).
    env: { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), KUBECONFIG: clusterKubeconfigs().developer },
    timeout: 120_000,
  });
  transcript.push(r.stdout, r.stderr);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** JWTs whose payload names our ServiceAccount: a leaked token of the identity, whoever minted it. */
function identityJwts(text: string): string[] {
  return [...text.matchAll(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g)]
    .map((m) => m[0])
    .filter((jwt) => {
      try {
        const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { sub?: string };
        return payload.sub === `system:serviceaccount:${TEAM_A}:${name}`;
      } catch {
        return false;
      }
    });
}

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const s = statSync(p);
    if (s.isDirectory()) filesUnder(p, out);
    else if (s.size < 50 * 1024 * 1024) out.push(p);
  }
  return out;
}

describe('identity verify (real apiserver)', () => {
  const admin = kubeConfigFor('admin');
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);

  before(async () => {
    await core.createNamespacedServiceAccount({ namespace: TEAM_A, body: { metadata: { name } } });
    const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
    await rbac.createNamespacedRole({
      namespace: TEAM_A,
      body: { metadata: { name }, rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs }, { apiGroups: [''], resources: ['services'], verbs }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: TEAM_A,
      body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ kind: 'ServiceAccount', name, namespace: TEAM_A }] },
    });
  });

  after(async () => {
    await deleteIfExists(() => rbac.deleteNamespacedRoleBinding({ name, namespace: TEAM_A }));
    await deleteIfExists(() => rbac.deleteNamespacedRole({ name, namespace: TEAM_A }));
    await deleteIfExists(() => core.deleteNamespacedServiceAccount({ name, namespace: TEAM_A }));
    rmSync(home, { recursive: true, force: true });
  });

  test('a Role covering a Deployment and a Service verifies clean against plain manifests of those (exit 0)', () => {
    const r = cli(['--namespace', TEAM_A, '--name', name, '--manifests', 'plain/app.yaml']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`Verified as system:serviceaccount:${TEAM_A}:${name} `));
    assert.match(r.stdout, /ok {4}Deployment team-a\/web \(plain\/app\.yaml\)/);
    assert.match(r.stdout, /ok {4}Service team-a\/web \(plain\/app\.yaml\)/);
    assert.match(r.stdout, /2 of 2 objects allowed; 0 other requests denied\./);
  });

  test('against a chart that adds a HorizontalPodAutoscaler: exit 1 naming the autoscaler with the apiserver\'s message', () => {
    const r = cli(['--namespace', TEAM_A, '--name', name, '--manifests', 'chart-app']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `FAIL {2}HorizontalPodAutoscaler team-a/web \\(chart-app/templates/hpa\\.yaml\\): Forbidden: horizontalpodautoscalers\\.autoscaling "web" is forbidden: User "system:serviceaccount:${TEAM_A}:${name}" cannot patch resource "horizontalpodautoscalers" in API group "autoscaling" in the namespace "${TEAM_A}"`,
      ),
      r.stdout,
    );
    assert.match(r.stdout, /ok {4}Deployment team-a\/web \(chart-app\/templates\/deployment\.yaml\)/);
    assert.match(r.stdout, /FAIL {2}get horizontalpodautoscalers\.autoscaling "web" in team-a \(for HorizontalPodAutoscaler web\)/);
  });

  test('--deployer helm: the release Secrets the identity cannot touch are named', () => {
    const r = cli(['--namespace', TEAM_A, '--name', name, '--manifests', 'plain/app.yaml', '--deployer', 'helm', '--format', 'json']);
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { objects: { outcome: string }[]; requests: { verb: string; resource: string; allowed: boolean }[] };
    assert.ok(out.objects.every((o) => o.outcome === 'allowed'));
    const denied = out.requests.filter((q) => !q.allowed).map((q) => `${q.verb} ${q.resource}`);
    assert.deepEqual([...new Set(denied)].sort(), ['create secrets', 'delete secrets', 'get secrets', 'list secrets', 'update secrets']);
  });

  test('a manifest in another namespace: the report says it is there, not in the identity\'s namespace', async () => {
    const catalog = builtinCatalog();
    const text = `apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ${TEAM_B}}\nspec: {ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n`;
    const docs = manifestDocs(text, 'app.yaml');
    const result = await verifyAsIdentity(kubeConfigFor('developer'), new KubeIdentityCluster(kubeConfigFor('developer')), { namespace: TEAM_A, serviceAccount: name, docs, needs: [], catalog });
    assert.deepEqual(result.objects.map((o) => [o.namespace, o.outcome, o.otherNamespace ?? false]), [[TEAM_B, 'forbidden', true], [TEAM_A, 'allowed', false]]);
    const report = formatVerify(result, '`kubectl apply`');
    assert.match(report, new RegExp(`FAIL  Service ${TEAM_B}/web \\(app\\.yaml\\) \\[in namespace ${TEAM_B}; the identity is in ${TEAM_A}\\]: Forbidden: `));
    assert.match(report, new RegExp(`Denied objects name namespace ${TEAM_B}, not the identity's namespace ${TEAM_A}: bind a Role there`));
  });

  test('a missing ServiceAccount is exit 1 with the reason; bad arguments exit 2', () => {
    const r = cli(['--namespace', TEAM_A, '--name', `${name}-nope`, '--manifests', 'plain/app.yaml']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ServiceAccount team-a\/.*-nope does not exist/);
    assert.equal(cli(['--namespace', TEAM_A, '--manifests', 'plain/app.yaml']).status, 2);
  });

  test('the token is never in any output, log or file', async () => {
    // In process, with the minted token recorded, the output of both formats is checked for it exactly.
    const real = new KubeIdentityCluster(kubeConfigFor('developer'));
    const minted: string[] = [];
    const recording: IdentityCluster = Object.assign(Object.create(real) as IdentityCluster, {
      requestToken: async (...args: Parameters<IdentityCluster['requestToken']>) => {
        const t = await real.requestToken(...args);
        minted.push(t.token);
        return t;
      },
    });
    const catalog = builtinCatalog();
    const docs = manifestDocs(readFileSync(join(FIX, 'plain/app.yaml'), 'utf8'), 'plain/app.yaml');
    const needs = deployerNeeds(manifestKinds(readFileSync(join(FIX, 'plain/app.yaml'), 'utf8'), 'plain/app.yaml'), 'helm', (g, k) => catalog.resourceForKind(g, k));
    const result = await verifyAsIdentity(kubeConfigFor('developer'), recording, { namespace: TEAM_A, serviceAccount: name, docs, needs, catalog });
    assert.equal(minted.length, 1);
    const token = minted[0]!;
    const texts = [formatVerify(result, '`helm upgrade`'), verifyJson(result), JSON.stringify(result), ...transcript];
    for (const t of texts) assert.ok(!t.includes(token), 'the token is not in any output');
    // CLI runs: no JWT of this ServiceAccount in what they printed, in their HOME, the fixtures, or the cluster's logs.
    const stateDir = process.env.PIPELINE_RBAC_CLUSTER_DIR ? resolve(process.env.PIPELINE_RBAC_CLUSTER_DIR) : join(ROOT, '.cluster');
    const files = [...filesUnder(home), ...filesUnder(FIX), ...filesUnder(join(stateDir, 'logs'))];
    assert.ok(files.length > 0);
    for (const f of files) {
      const text = readFileSync(f, 'latin1');
      assert.ok(!text.includes(token), `token not in ${f}`);
      assert.deepEqual(identityJwts(text), [], `no token of the identity in ${f}`);
    }
    assert.deepEqual(identityJwts(transcript.join('\n')), []);
  });
});
