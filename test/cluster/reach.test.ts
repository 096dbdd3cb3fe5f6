// `pipeline-rbac reach` against the real apiserver: one inventory read, the predicted path, --prove as the identities
// themselves (SelfSubjectAccessReview and a dryRun=All Pod naming the reached ServiceAccount), a refusal quoted when
// the cluster changed under the prediction, who can take the identity over, and what a limited user cannot see.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { KubeIdentityCluster } from '../../server/src/core/lifecycle/kube';
import { ReachGraph, type ReachResult } from '../../server/src/core/reach';
import { proveReach } from '../../server/src/cli/reachProve';
import { snapshotUniverse } from '../../server/src/cli/reach';
import { loadKubeconfig } from '../../server/src/core/live/kubeconfig';
import { TEAM_A, clusterKubeconfigs, deleteIfExists, kubeConfigFor, uniqueName } from './harness';

const CLI = join(resolve(__dirname, '..', '..'), 'dist', 'cli.js');
const RBAC = 'rbac.authorization.k8s.io';
const id = uniqueName('reach');
const NS = id;
const CI = `${id}-ci`;
const transcript: string[] = [];

function reachCli(user: 'admin' | 'developer', ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'reach', '--namespace', TEAM_A, '--name', CI, '--format', 'json', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: clusterKubeconfigs()[user] },
    timeout: 120_000,
  });
  transcript.push(r.stdout, r.stderr);
  return { status: r.status, result: r.stdout ? (JSON.parse(r.stdout) as ReachResult) : undefined, stderr: r.stderr };
}

describe('reach on the test cluster', () => {
  const kc = kubeConfigFor('admin');
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);

  before(async () => {
    await core.createNamespace({ body: { metadata: { name: NS } } });
    for (const [ns, name] of [[TEAM_A, CI], [NS, 'strong'], [NS, 'taker']]) await core.createNamespacedServiceAccount({ namespace: ns!, body: { metadata: { name: name! } } });
    // The pipeline creates pods in NS; NS's `strong` reads every Secret; NS's `taker` can mint the pipeline's token.
    await rbac.createNamespacedRole({ namespace: NS, body: { metadata: { name: 'pods' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }] } });
    await rbac.createNamespacedRoleBinding({ namespace: NS, body: { metadata: { name: 'ci-pods' }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'pods' }, subjects: [{ kind: 'ServiceAccount', name: CI, namespace: TEAM_A }] } });
    await rbac.createClusterRole({ body: { metadata: { name: `${id}-secrets` }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] } });
    await rbac.createClusterRoleBinding({ body: { metadata: { name: `${id}-strong` }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: `${id}-secrets` }, subjects: [{ kind: 'ServiceAccount', name: 'strong', namespace: NS }] } });
    await rbac.createNamespacedRole({ namespace: TEAM_A, body: { metadata: { name: `${id}-tok` }, rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'], resourceNames: [CI] }] } });
    await rbac.createNamespacedRoleBinding({ namespace: TEAM_A, body: { metadata: { name: `${id}-tok` }, roleRef: { apiGroup: RBAC, kind: 'Role', name: `${id}-tok` }, subjects: [{ kind: 'ServiceAccount', name: 'taker', namespace: NS }] } });
  });

  after(async () => {
    await deleteIfExists(() => rbac.deleteClusterRoleBinding({ name: `${id}-strong` }));
    await deleteIfExists(() => rbac.deleteClusterRole({ name: `${id}-secrets` }));
    await deleteIfExists(() => rbac.deleteNamespacedRoleBinding({ namespace: TEAM_A, name: `${id}-tok` }));
    await deleteIfExists(() => rbac.deleteNamespacedRole({ namespace: TEAM_A, name: `${id}-tok` }));
    await deleteIfExists(() => core.deleteNamespacedServiceAccount({ namespace: TEAM_A, name: CI }));
    await deleteIfExists(() => core.deleteNamespace({ name: NS }));
  });

  test('predicts the path, proves it as the identity, and names who can take the pipeline over', () => {
    const { status, result } = reachCli('admin', '--prove');
    assert.equal(status, 1, 'a reached identity gains more: exit 1');
    const strong = result!.reaches.find((r) => r.subject === `ServiceAccount ${NS}/strong`)!;
    assert.ok(strong, JSON.stringify(result!.reaches.map((r) => r.subject)));
    assert.deepEqual(strong.via.map((v) => [v.step, v.namespace, v.binding]), [['create pods', NS, `RoleBinding ${NS}/ci-pods`]]);
    assert.deepEqual(strong.gains, ['get/list secrets in every namespace']);
    assert.equal(strong.proof, 'proven');
    assert.ok(result!.reachableBy.some((r) => r.subject === `ServiceAccount ${NS}/taker` && r.via[0]!.step === `create serviceaccounts/token ${CI}`));
    // No token of any ServiceAccount reaches the output.
    assert.doesNotMatch(transcript.join('\n'), /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  });

  test('a step the cluster no longer allows is refused with the apiserver\'s answer', async () => {
    const loaded = loadKubeconfig({ kubeconfig: clusterKubeconfigs().admin, trusted: true });
    const graph = new ReachGraph(await snapshotUniverse(loaded));
    await rbac.deleteNamespacedRoleBinding({ namespace: NS, name: 'ci-pods' });
    try {
      const proofs = await proveReach(loaded.kc, new KubeIdentityCluster(loaded.kc), graph, { kind: 'ServiceAccount', namespace: TEAM_A, name: CI });
      assert.equal(proofs.get(`ServiceAccount ${NS}/strong`), `refused at step 1 (ServiceAccount ${TEAM_A}/${CI}): SelfSubjectAccessReview denies create pods in ${NS}`);
    } finally {
      await rbac.createNamespacedRoleBinding({ namespace: NS, body: { metadata: { name: 'ci-pods' }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'pods' }, subjects: [{ kind: 'ServiceAccount', name: CI, namespace: TEAM_A }] } });
    }
  });

  test('a user who cannot list everything gets an incomplete result that says what it could not see', () => {
    const { result } = reachCli('developer');
    assert.equal(result!.complete, false);
    assert.ok(result!.notVisible.some((n) => n.startsWith('clusterrolebindings: forbidden')), result!.notVisible.join('\n'));
  });
});
