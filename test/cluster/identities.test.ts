// The identities model against the real apiserver. Seeds one identity of every kind, the way the tools that make them
// do (the identity flow for ServiceAccounts and tokens, oidcRoleBinding for keyless), then checks what admin, developer
// and viewer each see through `node dist/cli.js identities --format json` and through the functions the tree view uses.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuthenticationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { identitiesFor, myAccessFor } from '../../server/src/core/inventory/load';
import type { IdentitiesJson, IdentityJson } from '../../server/src/core/inventory/json';
import { identityChildren, namespaceChildren, namespaceNodes } from '../../client/src/inventory/treeNodes';
import type { IdentityNode } from '../../server/src/core/inventory/types';
import { createIdentity } from '../../server/src/core/lifecycle/create';
import { oidcRoleBinding } from '../../server/src/core/lifecycle/oidc';
import { serviceAccountObject } from '../../server/src/core/lifecycle/objects';
import { ANNOTATIONS, OWNER_LABEL, type IdentityPlan } from '../../server/src/core/lifecycle/types';
import { loadKubeconfig } from '../../server/src/core/live/kubeconfig';
import { FileSecretStore } from '../../server/src/core/stores/file';
import { TEAM_A, clusterKubeconfigs, deleteIfExists, kubeConfigFor, uniqueName, waitFor, type ClusterUser } from './harness';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const RBAC = 'rbac.authorization.k8s.io';

const ROLE = (name: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${name}
rules:
  - apiGroups: [apps]
    resources: [deployments]
    verbs: [get, list, watch, create, update, patch]
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, list]
`;

function cli(user: ClusterUser, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.KUBECONFIG;
  const r = spawnSync(process.execPath, [CLI, 'identities', '--kubeconfig', clusterKubeconfigs()[user], ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cliModel(user: ClusterUser, args: string[]): { model: IdentitiesJson; raw: string } {
  const r = cli(user, ['--format', 'json', ...args]);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return { model: JSON.parse(r.stdout) as IdentitiesJson, raw: r.stdout };
}

function allIdentities(model: IdentitiesJson): IdentityJson[] {
  return [...model.namespaces.flatMap((n) => n.identities), ...model.cluster];
}

function find(model: IdentitiesJson, kind: IdentityNode['kind'], namespace: string | undefined, name: string): IdentityJson | undefined {
  return allIdentities(model).find((i) => i.kind === kind && i.name === name && i.namespace === namespace);
}

function must(model: IdentitiesJson, kind: IdentityNode['kind'], namespace: string | undefined, name: string): IdentityJson {
  const i = find(model, kind, namespace, name);
  assert.ok(i, `${kind} ${namespace}/${name} among ${allIdentities(model).map((x) => x.id).join(', ')}`);
  return i;
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('identities model on the real cluster (admin, developer, viewer)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-identities-'));
  const pipe = uniqueName('idt-pipe');
  const legacy = uniqueName('idt-legacy');
  const plain = uniqueName('idt-plain');
  const robot = uniqueName('idt-robot');
  const hidden = uniqueName('idt-hidden');
  const roleName = `${pipe}-role`;
  const legacyRole = `${legacy}-role`;
  const oidcSubject = `repo:acme/${pipe}:ref:refs/heads/main`;
  const oidcUser = `github:${oidcSubject}`;
  const oidcBindingName = `oidc-github-${roleName}`;
  const tokens: string[] = [];
  const core = () => kubeConfigFor('admin').makeApiClient(CoreV1Api);
  const rbac = () => kubeConfigFor('admin').makeApiClient(RbacAuthorizationV1Api);

  before(async () => {
    if (!existsSync(CLI)) {
      const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(b.status, 0, b.stderr);
    }
    const developer = loadKubeconfig({ kubeconfig: clusterKubeconfigs().developer, trusted: true });
    const plan = (name: string, role: string, token: IdentityPlan['token'], file: string): IdentityPlan => ({
      namespace: TEAM_A,
      name,
      role: { kind: 'file', text: ROLE(role), path: 'ci-role.yaml' },
      token,
      pipeline: { repo: `acme/${name}`, environment: 'production' },
      exportTarget: `file:${file}`,
    });
    // A TokenRequest identity with a 3-day token (expiring soon) and a legacy-token identity, made by the real flow.
    const pipeFile = join(dir, 'pipe.kubeconfig');
    await createIdentity(plan(pipe, roleName, { kind: 'request', durationSeconds: 3 * 86_400 }, pipeFile), {
      kubeconfig: developer,
      store: new FileSecretStore({ kind: 'file', path: pipeFile }),
      logger: silent,
    });
    // Reading the token the controller writes needs `get secrets`, which developer lacks: admin makes this one.
    const legacyFile = join(dir, 'legacy.kubeconfig');
    await createIdentity(plan(legacy, legacyRole, { kind: 'secret' }, legacyFile), {
      kubeconfig: loadKubeconfig({ kubeconfig: clusterKubeconfigs().admin, trusted: true }),
      store: new FileSecretStore({ kind: 'file', path: legacyFile }),
      logger: silent,
      legacyTokenTimeoutMs: 30_000,
    });
    for (const f of [pipeFile, legacyFile]) {
      const kc = new KubeConfig();
      kc.loadFromString(readFileSync(f, 'utf8'));
      const t = kc.getCurrentUser()?.token;
      assert.ok(t);
      tokens.push(t);
    }
    // Use the legacy token once: the apiserver records the day in kubernetes.io/legacy-token-last-used.
    const legacyKc = new KubeConfig();
    legacyKc.loadFromString(readFileSync(legacyFile, 'utf8'));
    await legacyKc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });

    // Keyless: the RoleBinding the OIDC flow writes, bound to the pipeline's Role.
    await rbac().createNamespacedRoleBinding({
      namespace: TEAM_A,
      body: oidcRoleBinding({ namespace: TEAM_A, roleName, subject: oidcSubject, prefix: 'github:', provider: 'github' }),
    });
    // An unlabelled ServiceAccount bound to ClusterRole edit.
    await core().createNamespacedServiceAccount({ namespace: TEAM_A, body: { metadata: { name: plain } } });
    await rbac().createNamespacedRoleBinding({
      namespace: TEAM_A,
      body: { metadata: { name: plain }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'ServiceAccount', name: plain, namespace: TEAM_A }] },
    });
    // A pipeline identity in a namespace developer and viewer cannot read, holding rights in team-a.
    await core().createNamespace({ body: { metadata: { name: hidden } } });
    await core().createNamespacedServiceAccount({
      namespace: hidden,
      body: serviceAccountObject(hidden, robot, { [ANNOTATIONS.createdBy]: 'admin', [ANNOTATIONS.tokenKind]: 'request' }),
    });
    await rbac().createNamespacedRoleBinding({
      namespace: TEAM_A,
      body: { metadata: { name: robot }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: robot, namespace: hidden }] },
    });
    await waitFor('the legacy token use to be recorded', async () => {
      const list = await core().listNamespacedSecret({ namespace: TEAM_A, labelSelector: `${OWNER_LABEL}=${legacy}` });
      return list.items.some((s) => s.metadata?.labels?.['kubernetes.io/legacy-token-last-used']);
    });
  });

  after(async () => {
    for (const name of [pipe, legacy]) {
      const selector = `${OWNER_LABEL}=${name}`;
      for (const s of (await core().listNamespacedSecret({ namespace: TEAM_A, labelSelector: selector })).items) {
        await deleteIfExists(() => core().deleteNamespacedSecret({ name: s.metadata!.name!, namespace: TEAM_A }));
      }
      await deleteIfExists(() => rbac().deleteNamespacedRoleBinding({ name, namespace: TEAM_A }));
      await deleteIfExists(() => core().deleteNamespacedServiceAccount({ name, namespace: TEAM_A }));
    }
    for (const r of [roleName, legacyRole]) await deleteIfExists(() => rbac().deleteNamespacedRole({ name: r, namespace: TEAM_A }));
    for (const b of [oidcBindingName, plain, robot]) await deleteIfExists(() => rbac().deleteNamespacedRoleBinding({ name: b, namespace: TEAM_A }));
    await deleteIfExists(() => core().deleteNamespacedServiceAccount({ name: plain, namespace: TEAM_A }));
    await deleteIfExists(() => core().deleteNamespace({ name: hidden }));
    rmSync(dir, { recursive: true, force: true });
  });

  test('admin: cluster-wide lists show every kind of identity with its bindings, risks and token state', async () => {
    const counts = await listSizes();
    const { model, raw } = cliModel('admin', ['--all-namespaces', '--all-service-accounts']);
    assert.equal(model.scope, 'cluster');
    assert.equal(model.user, 'admin');
    assert.deepEqual(model.problems, []);

    const p = must(model, 'ServiceAccount', TEAM_A, pipe);
    assert.equal(p.labelled, true);
    assert.deepEqual(p.reasons, ['labelled', 'binding', 'token-secret']);
    assert.equal(p.annotations.createdBy, 'developer');
    assert.match(p.annotations.pipeline ?? '', new RegExp(`acme/${pipe}`));
    assert.match(p.annotations.exportedTo ?? '', /pipe\.kubeconfig/);
    assert.equal(p.tokens.length, 1);
    const t = p.tokens[0]!;
    assert.equal(t.kind, 'token-request');
    assert.equal(t.source, 'secret');
    assert.equal(t.secretName, p.annotations.tokenSecret);
    assert.equal(t.expiresAt, p.annotations.tokenExpires);
    assert.ok(t.expiresInSeconds! > 3 * 86_400 - 600 && t.expiresInSeconds! <= 3 * 86_400, String(t.expiresInSeconds));
    assert.equal(t.expiringSoon, true);
    assert.ok(p.facts.some((f) => f.id === 'token-expiring-soon'));
    const direct = p.bindings.filter((b) => b.via === 'direct');
    assert.deepEqual(direct.map((b) => `${b.kind} ${b.name} -> ${b.role.kind} ${b.role.name}`), [`RoleBinding ${pipe} -> Role ${roleName}`]);
    assert.equal(direct[0]!.ours, true);
    const deployRule = model.roles[direct[0]!.role.key]!.rules.find((r) => r.rule.resources?.includes('deployments'))!;
    assert.ok(deployRule.findings.some((f) => f.ruleId === 'workload-create'), JSON.stringify(deployRule));

    const l = must(model, 'ServiceAccount', TEAM_A, legacy);
    assert.equal(l.tokens.length, 1);
    assert.equal(l.tokens[0]!.kind, 'legacy-secret');
    assert.equal(l.tokens[0]!.source, 'secret');
    assert.equal(l.tokens[0]!.lastUsed, new Date().toISOString().slice(0, 10), 'the apiserver recorded today');
    assert.equal(l.tokens[0]!.unused, false);
    assert.equal(l.tokens[0]!.expiresAt, undefined);
    assert.ok(l.facts.some((f) => f.id === 'token-legacy'));

    const u = must(model, 'User', TEAM_A, oidcUser);
    assert.deepEqual(u.reasons, ['keyless-binding']);
    assert.deepEqual(u.bindings.map((b) => `${b.name} -> ${b.role.name}`), [`${oidcBindingName} -> ${roleName}`]);
    assert.equal(u.bindings[0]!.role.state, 'ok');

    const pl = must(model, 'ServiceAccount', TEAM_A, plain);
    assert.equal(pl.labelled, false);
    assert.deepEqual(pl.reasons, ['binding']);
    const edit = pl.bindings.find((b) => b.name === plain)!;
    assert.equal(edit.role.key, 'ClusterRole/edit');
    const editRole = model.roles['ClusterRole/edit']!;
    assert.equal(editRole.aggregated, true);
    assert.ok(edit.findings.some((f) => f.ruleId === 'broad-role-binding'));
    assert.ok(editRole.rules.some((r) => r.findings.some((f) => f.ruleId === 'pods-exec')), 'edit lets you exec');

    const r = must(model, 'ServiceAccount', hidden, robot);
    assert.equal(r.labelled, true);
    assert.equal(r.exists, true);
    assert.equal(r.tokens[0]?.source, 'annotation');
    assert.ok(model.namespaces.find((n) => n.name === hidden)!.readable);

    // Neither the TokenRequest token nor the legacy Secret's token appears anywhere, although admin may read both.
    for (const tok of tokens) {
      assert.ok(!raw.includes(tok), 'no token in the JSON');
      assert.ok(!raw.includes(tok.split('.')[2]!), 'not even its signature');
    }
    // One request per page of eight cluster-wide lists (500 a page), however many identities: no per-object calls.
    // Other suites share the cluster, so a list may cross a page boundary between counting and listing.
    const expected = counts.reduce((n, c) => n + Math.max(1, Math.ceil(c / 500)), 0);
    assert.ok(Math.abs(model.stats.listRequests - expected) <= 2, `list requests ${model.stats.listRequests}, pages of ${counts.join('/')} objects: ${expected}`);
  });

  /** How many objects each of the eight lists returns, as admin sees them. */
  async function listSizes(): Promise<number[]> {
    const r = rbac();
    const c = core();
    return Promise.all([
      c.listNamespace().then((l) => l.items.length),
      c.listServiceAccountForAllNamespaces().then((l) => l.items.length),
      c.listSecretForAllNamespaces({ fieldSelector: 'type=kubernetes.io/service-account-token' }).then((l) => l.items.length),
      c.listSecretForAllNamespaces({ labelSelector: OWNER_LABEL }).then((l) => l.items.length),
      r.listRoleBindingForAllNamespaces().then((l) => l.items.length),
      r.listRoleForAllNamespaces().then((l) => l.items.length),
      r.listClusterRoleBinding().then((l) => l.items.length),
      r.listClusterRole().then((l) => l.items.length),
    ]);
  }

  test('admin: without --all-service-accounts only pipeline identities (labelled, keyless) show', () => {
    const { model } = cliModel('admin', ['--all-namespaces']);
    assert.ok(find(model, 'ServiceAccount', TEAM_A, pipe));
    assert.ok(find(model, 'ServiceAccount', TEAM_A, legacy));
    assert.ok(find(model, 'User', TEAM_A, oidcUser));
    assert.ok(find(model, 'ServiceAccount', hidden, robot));
    assert.equal(find(model, 'ServiceAccount', TEAM_A, plain), undefined);
    assert.ok(allIdentities(model).every((i) => i.labelled === true || i.reasons.includes('keyless-binding')));
    const text = cli('admin', ['--namespace', TEAM_A]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`ServiceAccount ${pipe} \\(pipeline .*token expiring soon\\)`));
    assert.match(text.stdout, /token: TokenRequest token .*expires in 2d/);
    assert.match(text.stdout, new RegExp(`User ${oidcUser.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(keyless`));
  });

  test('developer: cluster-wide listing is forbidden, so team-a and the namespaces its bindings name are listed; 403 lands on the hidden namespace', () => {
    const { model, raw } = cliModel('developer', ['--all-namespaces']);
    assert.equal(model.scope, 'namespaces');
    assert.equal(model.user, 'developer');
    assert.ok(model.problems.some((p) => p.resource === 'serviceaccounts' && p.kind === 'forbidden'), JSON.stringify(model.problems));
    assert.ok(model.problems.some((p) => p.resource === 'clusterroles' && p.kind === 'forbidden'));
    const names = model.namespaces.map((n) => n.name);
    assert.ok(names.includes(TEAM_A) && names.includes(hidden), names.join(', '));

    const h = model.namespaces.find((n) => n.name === hidden)!;
    assert.equal(h.readable, false);
    assert.ok(h.problems.some((p) => p.resource === 'serviceaccounts' && p.kind === 'forbidden' && /forbidden/i.test(p.message)));
    const r = must(model, 'ServiceAccount', hidden, robot);
    assert.equal(r.exists, null);
    assert.equal(r.labelled, null);
    assert.equal(r.bindings[0]!.name, robot);
    assert.equal(r.bindings[0]!.role.state, 'unreadable', 'developer may not list ClusterRoles');

    const p = must(model, 'ServiceAccount', TEAM_A, pipe);
    assert.equal(p.labelled, true);
    // Developer may create/delete Secrets but not list them: token state comes from the annotations.
    assert.equal(p.tokens[0]!.source, 'annotation');
    assert.equal(p.tokens[0]!.kind, 'token-request');
    assert.equal(p.tokens[0]!.expiringSoon, true);
    assert.ok(p.facts.some((f) => f.id === 'not-readable' && /Secrets/.test(f.message)));
    assert.equal(p.bindings.find((b) => b.name === pipe)?.role.state, 'ok', 'developer may list Roles in team-a');
    const l = must(model, 'ServiceAccount', TEAM_A, legacy);
    assert.equal(l.tokens[0]!.kind, 'legacy-secret');
    assert.equal(l.tokens[0]!.source, 'annotation');
    assert.ok(must(model, 'User', TEAM_A, oidcUser).bindings.length > 0);
    assert.equal(find(model, 'ServiceAccount', TEAM_A, plain), undefined, 'unlabelled: only with --all-service-accounts');
    for (const tok of tokens) assert.ok(!raw.includes(tok));

    const only = cliModel('developer', ['--namespace', hidden]).model;
    assert.deepEqual(only.namespaces.map((n) => [n.name, n.readable]), [[hidden, false]]);
    assert.ok(only.namespaces[0]!.problems.length >= 4, 'serviceaccounts, secrets, rolebindings and roles all 403');
  });

  test('viewer: team-a ServiceAccounts are visible, its RoleBindings are not; nothing breaks', () => {
    const { model } = cliModel('viewer', ['--all-namespaces', '--all-service-accounts']);
    assert.equal(model.scope, 'namespaces');
    const ns = model.namespaces.find((n) => n.name === TEAM_A)!;
    assert.equal(ns.readable, true);
    assert.ok(ns.problems.some((p) => p.resource === 'rolebindings' && p.kind === 'forbidden'));
    assert.ok(ns.problems.some((p) => p.resource === 'secrets' && p.kind === 'forbidden'));
    const p = must(model, 'ServiceAccount', TEAM_A, pipe);
    assert.deepEqual(p.bindings, []);
    assert.ok(p.facts.some((f) => f.id === 'not-readable' && /RoleBindings/.test(f.message)));
    assert.equal(p.tokens[0]!.source, 'annotation');
    // Without readable bindings there is no keyless User and no hint of the hidden namespace.
    assert.equal(find(model, 'User', TEAM_A, oidcUser), undefined);
    assert.ok(!model.namespaces.some((n) => n.name === hidden));
    // The unlabelled SA has neither a visible binding nor a visible token: not an identity for viewer.
    assert.equal(find(model, 'ServiceAccount', TEAM_A, plain), undefined);
  });

  test('the tree the view renders (same model function, pure node builders) for developer', async () => {
    const loaded = loadKubeconfig({ kubeconfig: clusterKubeconfigs().developer, trusted: true });
    const model = await identitiesFor(loaded, { namespaces: 'all' });
    const top = namespaceNodes(model, loaded.context);
    assert.equal(top[0]!.kind, 'problem', 'the cluster-wide 403 is shown, not thrown');
    const hiddenNode = top.find((n) => n.label === hidden)!;
    assert.equal(hiddenNode.icon, 'lock');
    assert.match(hiddenNode.contextValue, /^namespace forbidden/);
    const teamA = top.find((n) => n.label === TEAM_A)!;
    const children = namespaceChildren(model, teamA);
    // Developer may not list Secrets in team-a: said on the namespace, before My Access and the identities.
    assert.equal(children[0]!.kind, 'problem');
    assert.match(children[0]!.label, /Cannot list secrets in team-a/);
    assert.equal(children.find((n) => n.kind !== 'problem')!.kind, 'myAccess');
    const pipeNode = children.find((n) => n.kind === 'identity' && n.label === pipe)!;
    assert.match(pipeNode.contextValue, /^identity serviceAccount pipeline token .*expiring/);
    assert.equal(pipeNode.color, 'warning');
    const below = identityChildren(pipeNode);
    assert.equal(below[0]!.kind, 'token');
    assert.match(below[0]!.description!, /expiring soon/);
    assert.ok(below.some((n) => n.kind === 'binding' && n.label === `RoleBinding ${TEAM_A}/${pipe}`));
    const oidcNode = children.find((n) => n.kind === 'identity' && n.label === `User ${oidcUser}`)!;
    assert.match(oidcNode.contextValue, /^identity user keyless/);
  });

  test('My Access: developer and viewer in team-a as a resource x verb matrix', async () => {
    const dev = await myAccessFor(loadKubeconfig({ kubeconfig: clusterKubeconfigs().developer, trusted: true }), TEAM_A);
    const row = (m: typeof dev, g: string, r: string) => m.rows.find((x) => x.group === g && x.resource === r);
    assert.equal(dev.incomplete, false);
    assert.equal(row(dev, '', 'secrets')!.cells.create, 'yes');
    assert.equal(row(dev, '', 'secrets')!.cells.get, 'no');
    assert.equal(row(dev, '', 'secrets')!.cells.list, 'no');
    assert.equal(row(dev, 'apps', 'deployments')!.cells.patch, 'yes');
    assert.equal(row(dev, 'apps', 'deployments')!.cells.deletecollection, 'no');
    const viewer = await myAccessFor(loadKubeconfig({ kubeconfig: clusterKubeconfigs().viewer, trusted: true }), TEAM_A);
    assert.equal(row(viewer, '', 'configmaps')!.cells.list, 'yes');
    assert.equal(row(viewer, '', 'configmaps')!.cells.create, 'no');
    assert.equal(row(viewer, '', 'secrets'), undefined, 'view grants nothing on secrets');
    const text = cli('developer', ['--namespace', TEAM_A, '--my-access']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /my access in namespace team-a/);
    assert.match(text.stdout, /^secrets\s+\u2716\s+\u2716\s+\u2716\s+\u2714/m);
  });

  test('bad flags are usage errors (exit 2) before any cluster call', () => {
    const r = cli('admin', ['--namespace', TEAM_A, '--all-namespaces']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot be combined/);
    const f = cli('admin', ['--format', 'yaml']);
    assert.equal(f.code, 2);
    assert.match(f.stderr, /--format must be one of text, json/);
  });
});
