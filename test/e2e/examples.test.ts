/**
 * The example workspace (examples/) does what it claims, checked by the real apiserver:
 * - the too-broad CI Role is refused for developer ("not currently held"), the least-privilege one
 *   is accepted (server-side dry run);
 * - a ServiceAccount bound to the least-privilege Role can server-side apply every app manifest
 *   (dry run), exactly like the workflow's `kubectl apply --server-side`, and still cannot read
 *   Secrets or exec into pods;
 * - the CLI agrees: errors only for the too-broad Role.
 * Objects are created under unique names in team-a and deleted at the end.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1Role,
  type V1RoleBinding,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { apiStatus, clusterKubeconfigs, deleteIfExists, kubeConfigFor, kubeConfigWithToken, TEAM_A, uniqueName } from '../cluster/harness';
import { REPO_ROOT } from './support/prerequisites';

const EXAMPLES = join(REPO_ROOT, 'examples');

function load<T extends KubernetesObject>(rel: string): T[] {
  return parseAllDocuments(readFileSync(join(EXAMPLES, rel), 'utf8'))
    .map((d) => d.toJS() as T | null)
    .filter((o): o is T => o !== null);
}

function appManifests(): KubernetesObject[] {
  return readdirSync(join(EXAMPLES, 'app'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => load(join('app', f)));
}

/** Server-side apply, the way `kubectl apply --server-side` sends it. */
function apply(kc: KubeConfig, obj: KubernetesObject, dryRun: boolean): Promise<KubernetesObject> {
  return KubernetesObjectApi.makeApiClient(kc).patch(
    obj,
    undefined,
    dryRun ? 'All' : undefined,
    'pipeline-rbac-examples-test',
    true,
    PatchStrategy.ServerSideApply,
  );
}

async function forbidden(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const status = apiStatus(err);
    if (status?.code === 403) return status.message;
    throw err;
  }
  assert.fail('expected 403 Forbidden, the call succeeded');
}

describe('examples/ against the test cluster', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  test('every example file names namespace team-a', () => {
    const objects = [...appManifests(), ...load('ci/too-broad-role.yaml'), ...load('ci/least-privilege-role.yaml'), ...load('ci/rolebinding.yaml')];
    assert.deepEqual(objects.map((o) => o.kind), ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'Service', 'Role', 'Role', 'ServiceAccount', 'RoleBinding']);
    for (const o of objects) assert.equal(o.metadata?.namespace, TEAM_A, `${o.kind} ${o.metadata?.name}`);
  });

  test('developer may not create the too-broad Role; the least-privilege Role is accepted', async () => {
    const developer = kubeConfigFor('developer');
    const [broad] = load<V1Role>('ci/too-broad-role.yaml');
    const message = await forbidden(apply(developer, broad, true));
    assert.match(message, /attempting to grant RBAC permissions not currently held/);
    assert.match(message, /Resources:\["secrets"\]/);
    assert.match(message, /pods\/exec/);

    const [least] = load<V1Role>('ci/least-privilege-role.yaml');
    const accepted = (await apply(developer, least, true)) as V1Role;
    assert.deepEqual(JSON.parse(JSON.stringify(accepted.rules)), least.rules);
  });

  test('a ServiceAccount bound to the least-privilege Role can apply the app and nothing more', async () => {
    const developer = kubeConfigFor('developer');
    const admin = kubeConfigFor('admin');
    const name = uniqueName('examples-ci');
    // The example objects, renamed so parallel runs and a real ci-deployer do not collide.
    const [role] = load<V1Role>('ci/least-privilege-role.yaml');
    const [sa, binding] = load<KubernetesObject>('ci/rolebinding.yaml') as [KubernetesObject, V1RoleBinding];
    role.metadata = { ...role.metadata, name };
    sa.metadata = { ...sa.metadata, name };
    binding.metadata = { ...binding.metadata, name };
    binding.roleRef = { ...binding.roleRef, name };
    binding.subjects = binding.subjects?.map((s) => ({ ...s, name }));

    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    const core = admin.makeApiClient(CoreV1Api);
    cleanup.push(() => deleteIfExists(() => core.deleteNamespacedServiceAccount({ name, namespace: TEAM_A })));
    cleanup.push(() => deleteIfExists(() => rbac.deleteNamespacedRole({ name, namespace: TEAM_A })));
    cleanup.push(() => deleteIfExists(() => rbac.deleteNamespacedRoleBinding({ name, namespace: TEAM_A })));
    for (const obj of [role, sa, binding]) await apply(developer, obj, false); // as developer, for real

    const tr = await developer.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      name,
      namespace: TEAM_A,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const token = tr.status?.token;
    assert.ok(token, 'TokenRequest returned a token');
    const pipeline = kubeConfigWithToken(token);

    // RBAC caches refresh within a second or so after the binding is created.
    const manifests = appManifests();
    for (const obj of manifests) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          const applied = await apply(pipeline, obj, true);
          assert.equal(applied.kind, obj.kind);
          assert.equal(applied.metadata?.name, obj.metadata?.name);
          break;
        } catch (err) {
          if (apiStatus(err)?.code !== 403 || Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }

    const pipelineCore = pipeline.makeApiClient(CoreV1Api);
    await forbidden(pipelineCore.listNamespacedSecret({ namespace: TEAM_A }));
    await forbidden(pipelineCore.listNamespacedPod({ namespace: TEAM_A }));
    await forbidden(apply(pipeline, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: `${name}-x`, namespace: TEAM_A } }, true));
  });

  test('the CLI (live, as developer) reports errors only for the too-broad Role', () => {
    const res = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'dist', 'cli.js'), 'check', 'ci', '--live', '--kubeconfig', clusterKubeconfigs().developer, '--format', 'json'],
      { cwd: EXAMPLES, encoding: 'utf8' },
    );
    assert.equal(res.status, 1, res.stderr);
    const report = JSON.parse(res.stdout) as { files: { path: string; findings: { ruleId: string; severity: string }[] }[] };
    const errors = new Map<string, string[]>();
    for (const f of report.files) {
      const ids = f.findings.filter((x) => x.severity === 'error').map((x) => x.ruleId);
      if (ids.length) errors.set(f.path, ids);
    }
    assert.deepEqual([...errors.keys()], ['ci/too-broad-role.yaml']);
    assert.deepEqual([...new Set(errors.get('ci/too-broad-role.yaml'))].sort(), ['escalate-verb', 'impersonate', 'not-held']);
  });
});
