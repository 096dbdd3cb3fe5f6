// Fidelity of reach against the real apiserver: a seeded random universe (namespaces, ServiceAccounts with and without
// legacy token Secrets, Roles, ClusterRoles, bindings) and random pipeline Roles. Every predicted path is proven as the
// identities taking it (SelfSubjectAccessReview per check, dryRun=All create naming the ServiceAccount reached), and a
// sample of steps predicted impossible is refused. New seed each run, printed for replay (PIPELINE_RBAC_REACH_SEED).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import { KubeIdentityCluster } from '../../server/src/core/lifecycle/kube';
import { ClusterApi } from '../../server/src/core/live/clusterApi';
import { loadKubeconfig } from '../../server/src/core/live/kubeconfig';
import { identityKey, ReachGraph, type Identity } from '../../server/src/core/reach';
import { proveReach } from '../../server/src/cli/reachProve';
import { snapshotUniverse } from '../../server/src/cli/reach';
import { identityKubeConfig } from '../../server/src/core/verify/asIdentity';
import { clusterKubeconfigs, deleteIfExists, kubeConfigFor, uniqueName } from './harness';
import { mulberry32 } from './roleGenerator';

const SEED = Number(process.env.PIPELINE_RBAC_REACH_SEED ?? Math.floor(Date.now() / 1000) % 1_000_000);
const PIPELINES = Number(process.env.PIPELINE_RBAC_REACH_PIPELINES ?? 8);
const RBAC = 'rbac.authorization.k8s.io';

const id = uniqueName('rfid');
const NAMESPACES = [0, 1, 2].map((i) => `${id}-n${i}`);
const SAS = ['alpha', 'beta', 'gamma'];

/** Rules that enable a step, near misses that do not, and noise. */
function randomRules(rnd: () => number, pick: <T>(xs: readonly T[]) => T): V1PolicyRule[] {
  const sa = pick(SAS);
  const pool: V1PolicyRule[] = [
    { apiGroups: [''], resources: ['pods'], verbs: ['create'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['create'] },
    { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'], resourceNames: [sa] },
    { apiGroups: [''], resources: ['*/token'], verbs: ['create'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [`${sa}-legacy`] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'get'] },
    { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'], resourceNames: [sa] },
    // Near misses: wrong group, wrong verb, the resource without its subresource, create with names.
    { apiGroups: ['apps'], resources: ['pods'], verbs: ['create'] },
    { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['get'] },
    { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['create'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['create', 'update'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
  ];
  const n = 1 + Math.floor(rnd() * 3);
  return Array.from({ length: n }, () => pick(pool));
}

describe(`reach fidelity (seed ${SEED})`, () => {
  const kc = kubeConfigFor('admin');
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const rnd = mulberry32(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const pipelines: Identity[] = [];

  before(async () => {
    console.log(`reach fidelity seed ${SEED} (replay: PIPELINE_RBAC_REACH_SEED=${SEED})`);
    await rbac.createClusterRole({ body: { metadata: { name: `${id}-strong` }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] } });
    for (const ns of NAMESPACES) {
      await core.createNamespace({ body: { metadata: { name: ns } } });
      for (const sa of SAS) {
        await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: sa } } });
        if (rnd() < 0.4) await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: `${sa}-legacy`, annotations: { 'kubernetes.io/service-account.name': sa } }, type: 'kubernetes.io/service-account-token' } });
        // Some accounts are strong (read every Secret), some hold a random Role of their own.
        if (rnd() < 0.3) await rbac.createClusterRoleBinding({ body: { metadata: { name: `${ns}-${sa}` }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: `${id}-strong` }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }] } });
        else if (rnd() < 0.5) {
          const target = pick(NAMESPACES);
          await rbac.createNamespacedRole({ namespace: target, body: { metadata: { name: `${ns}-${sa}` }, rules: randomRules(rnd, pick) } }).catch(() => undefined);
          await rbac.createNamespacedRoleBinding({ namespace: target, body: { metadata: { name: `${ns}-${sa}` }, roleRef: { apiGroup: RBAC, kind: 'Role', name: `${ns}-${sa}` }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }] } }).catch(() => undefined);
        }
      }
    }
    for (let i = 0; i < PIPELINES; i++) {
      const home = pick(NAMESPACES);
      const name = `pipeline-${i}`;
      await core.createNamespacedServiceAccount({ namespace: home, body: { metadata: { name } } });
      const where = pick(NAMESPACES);
      await rbac.createNamespacedRole({ namespace: where, body: { metadata: { name } , rules: randomRules(rnd, pick) } });
      await rbac.createNamespacedRoleBinding({ namespace: where, body: { metadata: { name }, roleRef: { apiGroup: RBAC, kind: 'Role', name }, subjects: [{ kind: 'ServiceAccount', name, namespace: home }] } });
      pipelines.push({ kind: 'ServiceAccount', namespace: home, name });
    }
  });

  after(async () => {
    for (const ns of NAMESPACES) {
      for (const sa of SAS) await deleteIfExists(() => rbac.deleteClusterRoleBinding({ name: `${ns}-${sa}` }));
      await deleteIfExists(() => core.deleteNamespace({ name: ns }));
    }
    await deleteIfExists(() => rbac.deleteClusterRole({ name: `${id}-strong` }));
  });

  test('every predicted path is proven; a sample of steps predicted impossible is refused', async () => {
    const loaded = loadKubeconfig({ kubeconfig: clusterKubeconfigs().admin, trusted: true });
    const graph = new ReachGraph(await snapshotUniverse(loaded));
    const cluster = new KubeIdentityCluster(loaded.kc);
    let proven = 0;
    let refusedAsPredicted = 0;
    const mismatches: string[] = [];
    for (const p of pipelines) {
      const reached = new Set(graph.outbound(p).map((r) => identityKey(r.identity)));
      const proofs = await proveReach(loaded.kc, cluster, graph, p);
      for (const [who, proof] of proofs) {
        if (proof === 'proven') proven++;
        else if (!proof.startsWith('not checked')) mismatches.push(`${identityKey(p)} -> ${who}: ${proof}`);
      }
      // Steps predicted impossible, asked as the pipeline itself.
      const token = await cluster.requestToken(p.kind === 'ServiceAccount' ? p.namespace : '', p.kind === 'ServiceAccount' ? p.name : '', { expirationSeconds: 600 });
      const asPipeline = new ClusterApi(identityKubeConfig(loaded.kc, token.token, NAMESPACES[0]!));
      const direct = new Set(graph.edgesOf(p).flatMap((e) => graph.expand(e.target).map(identityKey)));
      for (const ns of NAMESPACES) {
        for (const sa of SAS) {
          const key = `ServiceAccount ${ns}/${sa}`;
          if (direct.has(key) || reached.has(key)) continue;
          for (const q of [
            { verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', namespace: ns, name: sa },
            { verb: 'impersonate', group: '', resource: 'serviceaccounts', namespace: ns, name: sa },
            { verb: 'create', group: '', resource: 'pods', namespace: ns },
            { verb: 'list', group: '', resource: 'secrets', namespace: ns },
          ]) {
            if (q.resource === 'secrets' && !graph.u.tokenSecrets.get(ns)?.some((s) => s.serviceAccount === sa)) continue;
            if (await asPipeline.accessReview(q)) mismatches.push(`${identityKey(p)}: predicted no step to ${key}, but the apiserver allows ${q.verb} ${q.resource}${q.subresource ? `/${q.subresource}` : ''} in ${ns}`);
            else refusedAsPredicted++;
          }
        }
      }
    }
    console.log(`reach fidelity seed ${SEED}: ${proven} paths proven, ${refusedAsPredicted} impossible steps refused, ${mismatches.length} mismatches`);
    assert.deepEqual(mismatches, []);
    assert.ok(proven + refusedAsPredicted > 0);
  });
});
