/**
 * Fidelity of the engine's escalation prediction against the real apiserver. For each random Role (created by
 * `developer` in team-a) and ClusterRole (created by a ServiceAccount that holds cluster-wide rules and may create
 * ClusterRoles), the engine predicts from the actor's LIVE rules (read exactly as the language server reads them)
 * whether the apiserver accepts it and, if not, the exact Forbidden message; then the actor creates it with dryRun=All.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuthenticationV1Api, CoreV1Api, KubeConfig as KubeConfigClass, KubernetesObjectApi, RbacAuthorizationV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { HeldPermissions } from '../../server/src/core/engine/rbac/heldPermissions';
import { bindingVerdict, roleVerdict } from '../../server/src/core/engine/rbac/notHeld';
import { validateObject } from '../../server/src/core/engine/schema/validate';
import { parseRbacFile } from '../../server/src/core/engine/yaml/parse';
import { LiveEnvironment } from '../../server/src/core/live/liveEnvironment';
import { DEFAULT_SETTINGS } from '../../server/src/core/shared/settings';
import { apiStatus, clusterKubeconfigs, DEVELOPER_RULES, kubeConfigFor, kubeConfigWithToken, uniqueName } from './harness';
import { generateRoles, type GeneratedRole, type SeedRule } from './roleGenerator';

const ROLES = Number(process.env.PIPELINE_RBAC_FIDELITY_ROLES ?? 1500);
const CLUSTER_ROLES = Number(process.env.PIPELINE_RBAC_FIDELITY_CLUSTERROLES ?? 500);
// A new seed every run widens coverage over time; it is printed so any mismatch can be replayed.
const SEED = Number(process.env.PIPELINE_RBAC_FIDELITY_SEED ?? Math.floor(Date.now() / 1000) % 1_000_000);
const CONCURRENCY = 8;

/** What the ClusterRole author holds cluster-wide (besides the defaults every authenticated user has). */
const AUTHOR_RULES: SeedRule[] = [
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['create'] },
  { apiGroups: [''], resources: ['pods', 'configmaps', 'namespaces', 'nodes'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'], verbs: ['get', 'list', 'update', 'patch'] },
  { nonResourceURLs: ['/metrics', '/logs/*'], verbs: ['get'] },
];

type Outcome = { status: 'allowed' } | { status: 'forbidden' | 'invalid' | 'other'; message: string };
interface Tally {
  compared: number;
  mismatches: string[];
  allowed: number;
  forbidden: number;
  invalid: number;
}

async function liveHeld(kubeconfig: string, probeYaml: string): Promise<HeldPermissions> {
  const settings = { ...DEFAULT_SETTINGS, kubeconfig };
  const env = new LiveEnvironment();
  await env.refresh(settings, parseRbacFile(probeYaml).objects);
  const held = env.options(settings).held;
  assert.ok(held, 'live held rules were read');
  return held;
}

async function compare(kc: KubeConfig, roles: GeneratedRole[], held: HeldPermissions): Promise<Tally> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const t: Tally = { compared: 0, mismatches: [], allowed: 0, forbidden: 0, invalid: 0 };
  let next = 0;
  const worker = async () => {
    while (next < roles.length) {
      const g = roles[next++]!;
      const obj = parseRbacFile(g.yaml).objects[0]!;
      const schemaErrors = validateObject(obj).filter((f) => f.severity === 'error');
      const verdict = roleVerdict(obj, held, 'team-a');
      // The apiserver's order: the escalation check (policybased storage) runs before validation (the strategy).
      const predicted = verdict.status === 'denied' ? 'forbidden' : schemaErrors.length ? 'invalid' : verdict.status;
      const actual = await createDryRun(api, parse(g.yaml) as KubernetesObject);
      t.compared++;
      if (actual.status === 'allowed' || actual.status === 'forbidden' || actual.status === 'invalid') t[actual.status]++;
      const same = predicted === actual.status && (actual.status !== 'forbidden' || (verdict.status === 'denied' && verdict.message === actual.message));
      if (!same) {
        const why = verdict.status === 'denied' ? ` (${verdict.message})` : schemaErrors.length ? ` [${schemaErrors.map((f) => f.message).join('; ')}]` : '';
        t.mismatches.push(`${g.kind} ${g.name}: engine ${predicted}${why}; apiserver ${actual.status}${'message' in actual ? ` (${actual.message})` : ''}\n${g.yaml}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return t;
}

function report(label: string, t: Tally, ms: number): void {
  const agreed = t.compared - t.mismatches.length;
  console.log(
    `fidelity ${label}: ${agreed}/${t.compared} agree (${((100 * agreed) / t.compared).toFixed(2)}%); apiserver accepted ${t.allowed}, forbade ${t.forbidden}, invalid ${t.invalid}; ${ms} ms; seed ${SEED}`,
  );
}

describe(`fidelity: engine vs kube-apiserver on ${ROLES} Roles and ${CLUSTER_ROLES} ClusterRoles (seed ${SEED})`, () => {
  const admin = kubeConfigFor('admin');
  const authorName = uniqueName('fidelity-author');
  const dir = mkdtempSync(join(tmpdir(), 'prb-fidelity-'));
  let authorKubeconfig = '';

  before(async () => {
    const core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespacedServiceAccount({ namespace: 'team-a', body: { metadata: { name: authorName } } });
    await rbac.createClusterRole({ body: { metadata: { name: authorName }, rules: AUTHOR_RULES } });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: authorName },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: authorName },
        subjects: [{ kind: 'ServiceAccount', name: authorName, namespace: 'team-a' }],
      },
    });
    const tr = await core.createNamespacedServiceAccountToken({ name: authorName, namespace: 'team-a', body: { spec: { expirationSeconds: 3600, audiences: [] } } });
    const kc = kubeConfigWithToken(tr.status!.token);
    const who = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    assert.equal(who.status?.userInfo?.username, `system:serviceaccount:team-a:${authorName}`);
    authorKubeconfig = join(dir, 'author.kubeconfig');
    writeFileSync(authorKubeconfig, kc.exportConfig(), { mode: 0o600 });
  });

  after(async () => {
    const core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await Promise.allSettled([
      rbac.deleteClusterRoleBinding({ name: authorName }),
      rbac.deleteClusterRole({ name: authorName }),
      core.deleteNamespacedServiceAccount({ name: authorName, namespace: 'team-a' }),
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('Roles created by developer in team-a: same verdict and the exact Forbidden message', async () => {
    const held = await liveHeld(clusterKubeconfigs().developer, 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: p, namespace: team-a}\nrules: []\n');
    const started = Date.now();
    const t = await compare(kubeConfigFor('developer'), generateRoles(SEED, ROLES, `fr-${SEED}`, 'Role', DEVELOPER_RULES as SeedRule[]), held);
    report('Roles', t, Date.now() - started);
    assert.ok(t.allowed > ROLES / 10 && t.forbidden > ROLES / 10, `the generator exercises both outcomes: ${JSON.stringify({ ...t, mismatches: t.mismatches.length })}`);
    assert.deepEqual(t.mismatches.slice(0, 5), [], `${t.mismatches.length} mismatches (first 5 shown)`);
  });

  it('ClusterRoles created by a ServiceAccount with cluster-wide rules: same verdict and message', async () => {
    const held = await liveHeld(authorKubeconfig, 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: p}\nrules: []\n');
    const started = Date.now();
    const t = await compare(authorKubeConfig(authorKubeconfig), generateRoles(SEED + 1, CLUSTER_ROLES, `fcr-${SEED}`, 'ClusterRole', AUTHOR_RULES), held);
    report('ClusterRoles', t, Date.now() - started);
    assert.ok(t.allowed > CLUSTER_ROLES / 10 && t.forbidden > CLUSTER_ROLES / 10, `the generator exercises both outcomes: ${JSON.stringify({ ...t, mismatches: t.mismatches.length })}`);
    assert.deepEqual(t.mismatches.slice(0, 5), [], `${t.mismatches.length} mismatches (first 5 shown)`);
  });
});

function authorKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfigClass();
  kc.loadFromFile(path);
  return kc;
}

describe('fidelity: RoleBindings by developer to every ClusterRole and team-a Role in the cluster', () => {
  it('same verdict (bind allowed, covered, or forbidden) and the exact Forbidden message', async () => {
    const admin = kubeConfigFor('admin').makeApiClient(RbacAuthorizationV1Api);
    const held = await liveHeld(clusterKubeconfigs().developer, 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: p, namespace: team-a}\nrules: []\n');
    const clusterRoles = (await admin.listClusterRole()).items;
    const roles = (await admin.listNamespacedRole({ namespace: 'team-a' })).items;
    const targets = [
      ...clusterRoles.map((r) => ({ kind: 'ClusterRole' as const, name: r.metadata!.name!, rules: r.rules ?? [] })),
      ...roles.map((r) => ({ kind: 'Role' as const, name: r.metadata!.name!, rules: r.rules ?? [] })),
    ];
    const rulesOf = new Map(targets.map((t) => [`${t.kind}/${t.name}`, t.rules.map((x) => ({ verbs: x.verbs, apiGroups: x.apiGroups ?? [], resources: x.resources ?? [], ...(x.resourceNames ? { resourceNames: x.resourceNames } : {}), ...(x.nonResourceURLs ? { nonResourceURLs: x.nonResourceURLs } : {}) }))]));
    const api = KubernetesObjectApi.makeApiClient(kubeConfigFor('developer'));
    const mismatches: string[] = [];
    const tally = { allowed: 0, forbidden: 0 };
    for (const [i, t] of targets.entries()) {
      const yaml = `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: fb-${SEED}-${i}, namespace: team-a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${t.kind}, name: ${t.name}}\nsubjects: [{kind: ServiceAccount, name: ci, namespace: team-a}]\n`;
      const obj = parseRbacFile(yaml).objects[0]!;
      const verdict = bindingVerdict(obj, held, { defaultNamespace: 'team-a', resolveRole: (kind, name) => rulesOf.get(`${kind}/${name}`) });
      const actual = await createDryRun(api, parse(yaml) as KubernetesObject);
      if (actual.status === 'allowed' || actual.status === 'forbidden') tally[actual.status]++;
      const predicted = verdict.status === 'denied' ? 'forbidden' : verdict.status;
      if (predicted !== actual.status || (actual.status === 'forbidden' && (verdict.status !== 'denied' || verdict.message !== actual.message))) {
        mismatches.push(`${t.kind} ${t.name}: engine ${predicted}${verdict.status === 'denied' ? ` (${verdict.message})` : ''}; apiserver ${actual.status}${'message' in actual ? ` (${actual.message})` : ''}`);
      }
    }
    console.log(`fidelity RoleBindings: ${targets.length - mismatches.length}/${targets.length} agree; apiserver accepted ${tally.allowed}, forbade ${tally.forbidden}`);
    assert.ok(tally.allowed > 0 && tally.forbidden > 10, JSON.stringify(tally));
    assert.deepEqual(mismatches.slice(0, 5), [], `${mismatches.length} mismatches`);
  });
});

async function createDryRun(api: KubernetesObjectApi, spec: KubernetesObject): Promise<Outcome> {
  try {
    await api.create(spec, undefined, 'All');
    return { status: 'allowed' };
  } catch (err) {
    const s = apiStatus(err);
    if (s?.code === 403) return { status: 'forbidden', message: s.message };
    if (s?.code === 422) return { status: 'invalid', message: s.message };
    return { status: 'other', message: s ? `${s.code} ${s.message}` : String(err) };
  }
}
