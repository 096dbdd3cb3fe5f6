// The demo namespace's contents (scripts/demo.mjs).
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, DEMO_DIR, MANAGED_BY, poll, RBAC, ROOT, run, say, state, tail } from './common.mjs';

// The demo's objects: the developer's rights in the namespace, three identities made with the CLI,
// and a hand-made legacy one (a too-broad Role and a long-lived token Secret) like many clusters have.
const MANAGE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

function roleYaml(name, namespace, rules) {
  const lines = ['apiVersion: rbac.authorization.k8s.io/v1', 'kind: Role', 'metadata:', `  name: ${name}`, `  namespace: ${namespace}`, 'rules:'];
  for (const r of rules) {
    lines.push(`  - apiGroups: ${JSON.stringify(r.apiGroups)}`, `    resources: ${JSON.stringify(r.resources)}`);
    if (r.resourceNames) lines.push(`    resourceNames: ${JSON.stringify(r.resourceNames)}`);
    lines.push(`    verbs: ${JSON.stringify(r.verbs)}`);
  }
  return `${lines.join('\n')}\n`;
}

export const IDENTITIES = [
  {
    name: 'web-deployer',
    about: 'least privilege for app/ (token: TokenRequest, 30 days)',
    rules: [
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: MANAGE },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: MANAGE },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: MANAGE },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: MANAGE },
    ],
    args: [],
  },
  {
    name: 'docs-publisher',
    about: 'one ConfigMap by name (token expires in 3 hours)',
    rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['docs-site'], verbs: ['get', 'update', 'patch'] }],
    args: ['--duration', '3h'],
  },
  {
    name: 'release-bot',
    about: 'risky: reads every Secret, execs into pods (long-lived Secret token)',
    rules: [
      { apiGroups: ['', 'apps'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: MANAGE },
    ],
    args: ['--token', 'secret'],
  },
];

export async function seedNamespace(kubeconfigs, namespace) {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigs.admin);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  const apply = (obj) => objects.patch(obj, undefined, undefined, 'pipeline-rbac-demo', true, k8s.PatchStrategy.ServerSideApply);

  // A namespace left by an earlier demo that did not get to clean up: start from scratch.
  const existing = await core.readNamespace({ name: namespace }).catch(() => undefined);
  if (existing) {
    say(`deleting the namespace ${namespace} left by an earlier run...`);
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await poll(`namespace ${namespace} to be deleted`, async () => !(await core.readNamespace({ name: namespace }).catch(() => undefined)), 120_000, 500);
  }
  say(`seeding namespace ${namespace}...`);
  state.namespace = namespace;
  await core.createNamespace({ body: { metadata: { name: namespace, labels: MANAGED_BY } } });

  // developer gets the same rights here as in team-a (test/cluster/seed.mjs), so the workbench,
  // which runs as developer, lists and manages these identities.
  const { DEVELOPER_RULES } = await import('../../test/cluster/seed.mjs');
  await apply({ apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'developer', namespace, labels: MANAGED_BY }, rules: DEVELOPER_RULES });
  await apply({
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name: 'developer', namespace, labels: MANAGED_BY },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: 'developer' },
    subjects: [{ apiGroup: RBAC, kind: 'User', name: 'developer' }],
  });

  const roleDir = join(DEMO_DIR, 'roles');
  const exportDir = join(DEMO_DIR, 'exports');
  mkdirSync(roleDir, { recursive: true });
  mkdirSync(exportDir, { recursive: true, mode: 0o700 });
  for (const id of IDENTITIES) {
    const roleFile = join(roleDir, `${id.name}.yaml`);
    writeFileSync(roleFile, roleYaml(id.name, namespace, id.rules));
    const exportFile = join(exportDir, `${id.name}.kubeconfig`);
    rmSync(exportFile, { force: true });
    const res = await run(process.execPath, [
      CLI, 'identity', 'create', '--kubeconfig', kubeconfigs.admin, '--namespace', namespace, '--name', id.name,
      '--role-file', roleFile, '--export', `file:${exportFile}`, ...id.args,
    ]);
    if (res.code !== 0) throw new Error(`pipeline-rbac identity create ${id.name} failed (exit ${res.code}):\n${tail(res.output, 15)}`);
    say(`  identity ${namespace}/${id.name}: ${id.about}`);
  }

  // The legacy identity: made by hand, bound to a Role as broad as examples/ci/too-broad-role.yaml,
  // with a never-expiring token Secret.
  const broad = (await import('yaml')).parse(readFileSync(join(ROOT, 'examples', 'ci', 'too-broad-role.yaml'), 'utf8'));
  await apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'jenkins', namespace, labels: MANAGED_BY } });
  await apply({ apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'jenkins-admin', namespace, labels: MANAGED_BY }, rules: broad.rules });
  await apply({
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name: 'jenkins-admin', namespace, labels: MANAGED_BY },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: 'jenkins-admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'jenkins', namespace }],
  });
  await apply({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/service-account-token',
    metadata: { name: 'jenkins-token', namespace, labels: MANAGED_BY, annotations: { 'kubernetes.io/service-account.name': 'jenkins' } },
  });
  say(`  legacy ServiceAccount ${namespace}/jenkins: hand-made, Role jenkins-admin (wildcards, escalate), long-lived token Secret`);
}

/** One kubeconfig with two contexts (developer, current; admin), both in the demo namespace. Mode 0600. */
export function writeDemoKubeconfig(kubeconfigs, namespace, yaml) {
  const dev = yaml.parse(readFileSync(kubeconfigs.developer, 'utf8'));
  const adm = yaml.parse(readFileSync(kubeconfigs.admin, 'utf8'));
  const ctx = (kc) => kc.contexts.find((c) => c.name === kc['current-context']);
  const devCtx = ctx(dev);
  const admCtx = ctx(adm);
  const merged = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [dev.clusters.find((c) => c.name === devCtx.context.cluster)],
    users: [dev.users.find((u) => u.name === devCtx.context.user), adm.users.find((u) => u.name === admCtx.context.user)],
    contexts: [
      { name: devCtx.name, context: { ...devCtx.context, namespace } },
      { name: admCtx.name, context: { ...admCtx.context, cluster: devCtx.context.cluster, namespace } },
    ],
    'current-context': devCtx.name,
  };
  const path = join(DEMO_DIR, 'kubeconfig');
  rmSync(path, { force: true });
  writeFileSync(path, yaml.stringify(merged), { mode: 0o600 });
  chmodSync(path, 0o600);
  return { path, developerContext: devCtx.name, adminContext: admCtx.name };
}
