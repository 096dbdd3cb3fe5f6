import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toJsonModel } from '../../server/src/core/inventory/json';
import { buildIdentitiesModel } from '../../server/src/core/inventory/model';
import type { ApiBinding, ApiRole, IdentitiesModel, IdentityNode, Snapshot } from '../../server/src/core/inventory/types';

const allIdentities = (model: IdentitiesModel): IdentityNode[] => [...model.namespaces.flatMap((n) => n.identities), ...model.cluster];

const RBAC = 'rbac.authorization.k8s.io';
const NOW = new Date('2026-11-23T12:00:00Z');
const daysFromNow = (d: number) => new Date(NOW.getTime() + d * 86_400_000).toISOString();

function rb(ns: string, name: string, role: { kind: string; name: string }, subjects: ApiBinding['subjects'], extra: Partial<ApiBinding['metadata']> = {}): ApiBinding {
  return { kind: 'RoleBinding', metadata: { name, namespace: ns, ...extra }, roleRef: { apiGroup: RBAC, ...role }, subjects };
}

function role(ns: string, name: string, rules: ApiRole['rules']): ApiRole {
  return { kind: 'Role', metadata: { name, namespace: ns }, rules };
}

function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    clusterWide: true,
    namespaces: ['team-a', 'team-b'],
    serviceAccounts: [],
    tokenSecrets: [],
    roleBindings: [],
    clusterRoleBindings: [],
    roles: [],
    clusterRoles: [],
    readable: ['serviceaccounts/*', 'secrets/*', 'rolebindings/*', 'roles/*', 'clusterroles/*', 'clusterrolebindings/*'],
    problems: [],
    stats: { listRequests: 0, otherRequests: 0, fetchMs: 0 },
    ...over,
  };
}

function find(model: ReturnType<typeof buildIdentitiesModel>, id: string): IdentityNode {
  const i = allIdentities(model).find((x) => x.id === id);
  assert.ok(i, `identity ${id} in ${allIdentities(model).map((x) => x.id).join(', ')}`);
  return i;
}

const deployer = {
  metadata: {
    name: 'deployer',
    namespace: 'team-a',
    creationTimestamp: daysFromNow(-10),
    labels: { 'pipeline-rbac.io/identity': 'true' },
    annotations: {
      'pipeline-rbac.io/created-by': 'alice',
      'pipeline-rbac.io/pipeline': 'acme/app (environment prod)',
      'pipeline-rbac.io/exported-to': 'GitHub acme/app secret KUBECONFIG',
      'pipeline-rbac.io/token-kind': 'request',
      'pipeline-rbac.io/token-expires': daysFromNow(3),
      'pipeline-rbac.io/token-secret': 'deployer-token-abcde',
    },
  },
};

test('a labelled ServiceAccount carries its bindings, roles, rules with engine findings, and token state', () => {
  const snap = snapshot({
    serviceAccounts: [deployer, { metadata: { name: 'default', namespace: 'team-a' } }],
    tokenSecrets: [
      {
        source: 'bound-label',
        metadata: { name: 'deployer-token-abcde', namespace: 'team-a', creationTimestamp: daysFromNow(-2), labels: { 'pipeline-rbac.io/service-account': 'deployer' } },
      },
    ],
    roles: [role('team-a', 'deployer', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'create'] }, { apiGroups: [''], resources: ['secrets'], verbs: ['list'] }])],
    roleBindings: [rb('team-a', 'deployer', { kind: 'Role', name: 'deployer' }, [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' }])],
  });
  const model = buildIdentitiesModel(snap, { now: NOW });
  assert.equal(model.scope, 'cluster');
  // Only the labelled one without "all ServiceAccounts".
  assert.deepEqual(allIdentities(model).map((i) => i.id), ['ServiceAccount:team-a/deployer']);
  const i = find(model, 'ServiceAccount:team-a/deployer');
  assert.deepEqual(i.reasons, ['labelled', 'binding', 'token-secret']);
  assert.equal(i.annotations.createdBy, 'alice');
  assert.equal(i.annotations.exportedTo, 'GitHub acme/app secret KUBECONFIG');
  assert.equal(i.tokens.length, 1);
  const t = i.tokens[0]!;
  assert.equal(t.kind, 'token-request');
  assert.equal(t.source, 'secret');
  assert.equal(t.expiresAt, daysFromNow(3));
  assert.equal(t.expiresInSeconds, 3 * 86_400);
  assert.equal(t.ageSeconds, 2 * 86_400);
  assert.equal(t.expiringSoon, true);
  assert.equal(i.flags.expiringSoon, true);
  assert.ok(i.facts.some((f) => f.id === 'token-expiring-soon' && f.severity === 'warning'));

  assert.equal(i.bindings.length, 1);
  const b = i.bindings[0]!;
  assert.equal(b.role.state, 'ok');
  assert.equal(b.role.rules.length, 2);
  assert.ok(b.role.rules[0]!.findings.some((f) => f.ruleId === 'workload-create'), JSON.stringify(b.role.rules[0]));
  assert.ok(b.role.rules[1]!.findings.some((f) => f.ruleId === 'secrets-read'));
  assert.equal(b.role.rules[1]!.text, '{APIGroups:[""], Resources:["secrets"], Verbs:["list"]}');
  assert.equal(i.severity, 'warning');
});

test('severity overrides from the settings hide or change engine findings', () => {
  const snap = snapshot({
    serviceAccounts: [deployer],
    roles: [role('team-a', 'deployer', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }])],
    roleBindings: [rb('team-a', 'deployer', { kind: 'Role', name: 'deployer' }, [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' }])],
  });
  const on = find(buildIdentitiesModel(snap, { now: NOW }), 'ServiceAccount:team-a/deployer');
  assert.ok(on.bindings[0]!.role.rules[0]!.findings.some((f) => f.ruleId === 'secrets-read'));
  const off = find(buildIdentitiesModel(snap, { now: NOW, severities: { 'secrets-read': 'off' } }), 'ServiceAccount:team-a/deployer');
  assert.deepEqual(off.bindings[0]!.role.rules[0]!.findings, []);
});

test('"all ServiceAccounts" adds unlabelled ones with a binding or a token Secret, not bare ones', () => {
  const snap = snapshot({
    serviceAccounts: [
      { metadata: { name: 'bound', namespace: 'team-b' } },
      { metadata: { name: 'legacy', namespace: 'team-b' } },
      { metadata: { name: 'bare', namespace: 'team-b' } },
    ],
    tokenSecrets: [
      {
        source: 'legacy-type',
        metadata: {
          name: 'legacy-token',
          namespace: 'team-b',
          creationTimestamp: daysFromNow(-90),
          annotations: { 'kubernetes.io/service-account.name': 'legacy' },
          labels: { 'kubernetes.io/legacy-token-last-used': '2026-09-01' },
        },
      },
    ],
    clusterRoles: [{ kind: 'ClusterRole', metadata: { name: 'edit' }, rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }] }],
    roleBindings: [rb('team-b', 'bound-edit', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'ServiceAccount', name: 'bound', namespace: 'team-b' }])],
  });
  assert.equal(allIdentities(buildIdentitiesModel(snap, { now: NOW })).length, 0);
  const model = buildIdentitiesModel(snap, { now: NOW, allServiceAccounts: true });
  assert.deepEqual(allIdentities(model).map((i) => i.id).sort(), ['ServiceAccount:team-b/bound', 'ServiceAccount:team-b/legacy']);
  const bound = find(model, 'ServiceAccount:team-b/bound');
  assert.deepEqual(bound.reasons, ['binding']);
  assert.equal(bound.labelled, false);
  assert.ok(bound.bindings[0]!.findings.some((f) => f.ruleId === 'broad-role-binding'));
  assert.ok(bound.bindings[0]!.role.rules[0]!.findings.some((f) => f.ruleId === 'pods-exec'));
  const legacy = find(model, 'ServiceAccount:team-b/legacy');
  const t = legacy.tokens[0]!;
  assert.equal(t.kind, 'legacy-secret');
  assert.equal(t.lastUsed, '2026-09-01');
  assert.equal(t.unused, true, 'last used 83 days ago');
  assert.equal(t.expiresAt, undefined);
  assert.ok(legacy.facts.some((f) => f.id === 'token-unused'));
  assert.ok(legacy.facts.some((f) => f.id === 'token-legacy'));
});

test('keyless bindings make their OIDC User an identity under the binding namespace', () => {
  const snap = snapshot({
    roles: [role('team-a', 'deploy', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] }])],
    roleBindings: [
      rb('team-a', 'oidc-github-deploy', { kind: 'Role', name: 'deploy' }, [{ kind: 'User', apiGroup: RBAC, name: 'github:repo:acme/app:ref:refs/heads/main' }], {
        labels: { 'app.kubernetes.io/managed-by': 'pipeline-rbac' },
        annotations: { 'pipeline-rbac.io/oidc-subject': 'repo:acme/app:ref:refs/heads/main' },
      }),
      // A plain user binding is not an identity.
      rb('team-a', 'human', { kind: 'Role', name: 'deploy' }, [{ kind: 'User', apiGroup: RBAC, name: 'alice' }]),
    ],
  });
  const model = buildIdentitiesModel(snap, { now: NOW, allServiceAccounts: true });
  const ids = allIdentities(model);
  assert.equal(ids.length, 1);
  const u = ids[0]!;
  assert.equal(u.kind, 'User');
  assert.equal(u.name, 'github:repo:acme/app:ref:refs/heads/main');
  assert.equal(u.namespace, 'team-a');
  assert.deepEqual(u.reasons, ['keyless-binding']);
  assert.equal(u.bindings[0]!.ours, true);
  assert.equal(u.bindings[0]!.role.name, 'deploy');
  assert.equal(model.namespaces.find((n) => n.name === 'team-a')!.identities[0], u);
});

test('keyless identities carry their OIDC subject and issuer; generated-name Users count without our annotations', () => {
  const snap = snapshot({
    roles: [role('team-a', 'deploy', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] }])],
    roleBindings: [
      rb('team-a', 'oidc-gitlab-deploy', { kind: 'Role', name: 'deploy' }, [{ kind: 'User', apiGroup: RBAC, name: 'gitlab:project_path:acme/shop:ref_type:branch:ref:main' }], {
        labels: { 'app.kubernetes.io/managed-by': 'pipeline-rbac' },
        annotations: { 'pipeline-rbac.io/oidc-subject': 'project_path:acme/shop:ref_type:branch:ref:main', 'pipeline-rbac.io/oidc-issuer': 'https://gitlab.example.com' },
      }),
      // Applied through GitOps without our annotations: recognised by the generated user name; issuer unknown.
      rb('team-a', 'gitops', { kind: 'Role', name: 'deploy' }, [{ kind: 'User', apiGroup: RBAC, name: 'github:repo:acme/web:environment:production' }, { kind: 'User', apiGroup: RBAC, name: 'bob' }]),
    ],
  });
  const ids = allIdentities(buildIdentitiesModel(snap, { now: NOW }));
  assert.deepEqual(ids.map((i) => [i.name, i.oidc]), [
    ['github:repo:acme/web:environment:production', { subject: 'repo:acme/web:environment:production' }],
    ['gitlab:project_path:acme/shop:ref_type:branch:ref:main', { subject: 'project_path:acme/shop:ref_type:branch:ref:main', issuer: 'https://gitlab.example.com' }],
  ]);
  assert.ok(ids.every((i) => i.bindings[0]?.role.rules.length === 1));
});

test('unreadable lists: missing role vs unreadable role, SA of an unlistable namespace, problems on the namespace node', () => {
  const snap = snapshot({
    clusterWide: false,
    namespaces: ['hidden', 'team-a'],
    readable: ['serviceaccounts/team-a', 'rolebindings/team-a', 'roles/team-a'],
    serviceAccounts: [{ metadata: { name: 'ci', namespace: 'team-a', labels: { 'pipeline-rbac.io/identity': 'true' } } }],
    roleBindings: [
      rb('team-a', 'ci', { kind: 'Role', name: 'gone' }, [{ kind: 'ServiceAccount', name: 'ci', namespace: 'team-a' }]),
      rb('team-a', 'ci-view', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'ServiceAccount', name: 'ci', namespace: 'team-a' }]),
      rb('team-a', 'foreign', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'ServiceAccount', name: 'robot', namespace: 'hidden' }]),
    ],
    problems: [
      { resource: 'serviceaccounts', namespace: 'hidden', kind: 'forbidden', message: 'listing serviceaccounts in namespace hidden failed: forbidden' },
      { resource: 'clusterroles', kind: 'forbidden', message: 'listing clusterroles failed: forbidden' },
    ],
  });
  const model = buildIdentitiesModel(snap, { now: NOW });
  assert.equal(model.scope, 'namespaces');
  assert.equal(model.problems.length, 1);
  const hidden = model.namespaces.find((n) => n.name === 'hidden')!;
  assert.equal(hidden.readable, false);
  assert.equal(hidden.problems[0]!.kind, 'forbidden');
  // Shown although unlabelled-ness is unknown: it holds rights in team-a that the user can see.
  const robot = find(model, 'ServiceAccount:hidden/robot');
  assert.equal(robot.exists, null);
  assert.equal(robot.labelled, null);
  assert.ok(robot.facts.some((f) => f.id === 'not-readable'));
  const ci = find(model, 'ServiceAccount:team-a/ci');
  const [gone, view] = ci.bindings;
  assert.equal(gone!.role.state, 'missing');
  assert.ok(gone!.facts.some((f) => f.id === 'role-missing'));
  assert.equal(view!.role.state, 'unreadable');
  assert.ok(view!.facts.some((f) => f.id === 'role-unreadable'));
  // Secrets could not be listed: token state is unknown, said as a hint.
  assert.ok(ci.facts.some((f) => f.id === 'not-readable' && /Secrets/.test(f.message)));
});

test('token state from annotations when Secrets cannot be listed; expired tokens are errors', () => {
  const sa = {
    metadata: {
      name: 'old',
      namespace: 'team-a',
      labels: { 'pipeline-rbac.io/identity': 'true' },
      annotations: { 'pipeline-rbac.io/token-kind': 'request', 'pipeline-rbac.io/token-expires': daysFromNow(-1), 'pipeline-rbac.io/created-at': daysFromNow(-31) },
    },
  };
  const model = buildIdentitiesModel(snapshot({ serviceAccounts: [sa], readable: ['serviceaccounts/*', 'rolebindings/*'] }), { now: NOW });
  const i = find(model, 'ServiceAccount:team-a/old');
  assert.equal(i.tokens[0]!.source, 'annotation');
  assert.equal(i.tokens[0]!.expired, true);
  assert.equal(i.tokens[0]!.ageSeconds, 31 * 86_400);
  assert.equal(i.severity, 'error');
  assert.ok(i.facts.some((f) => f.id === 'token-expired' && f.severity === 'error'));
  assert.ok(i.facts.some((f) => f.id === 'no-bindings'));
});

test('bindings through groups apply to ServiceAccounts; Kubernetes defaults do not clutter them', () => {
  const snap = snapshot({
    serviceAccounts: [deployer],
    clusterRoles: [{ kind: 'ClusterRole', metadata: { name: 'system:basic-user' }, rules: [] }, { kind: 'ClusterRole', metadata: { name: 'view' }, rules: [] }],
    clusterRoleBindings: [
      {
        kind: 'ClusterRoleBinding',
        metadata: { name: 'system:basic-user', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'system:basic-user' },
        subjects: [{ kind: 'Group', apiGroup: RBAC, name: 'system:authenticated' }],
      },
    ],
    roleBindings: [rb('team-b', 'all-sa-of-a', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'Group', apiGroup: RBAC, name: 'system:serviceaccounts:team-a' }])],
  });
  const i = find(buildIdentitiesModel(snap, { now: NOW }), 'ServiceAccount:team-a/deployer');
  assert.deepEqual(i.bindings.map((b) => [b.name, b.via, b.group]), [['all-sa-of-a', 'group', 'system:serviceaccounts:team-a']]);
});

test('a binding naming a ServiceAccount that does not exist is flagged when the namespace is listable', () => {
  const snap = snapshot({
    roles: [role('team-a', 'r', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }])],
    roleBindings: [rb('team-a', 'dangling', { kind: 'Role', name: 'r' }, [{ kind: 'ServiceAccount', name: 'ghost', namespace: 'team-a' }])],
  });
  const model = buildIdentitiesModel(snap, { now: NOW, allServiceAccounts: true });
  const ghost = find(model, 'ServiceAccount:team-a/ghost');
  assert.equal(ghost.exists, false);
  assert.ok(ghost.facts.some((f) => f.id === 'service-account-missing' && f.severity === 'warning'));
});

test('the model is plain JSON without any field that could hold token data', () => {
  const model = buildIdentitiesModel(snapshot({ serviceAccounts: [deployer] }), { now: NOW });
  const json = JSON.stringify(model);
  assert.deepEqual(JSON.parse(json), model);
  assert.doesNotMatch(json, /"(token|data|stringData)"\s*:/);
});

// A guard against quadratic blowups (those take minutes at this size), not a benchmark: bench/identities.ts measures.
test('builds 5,000 identities with 10,000 bindings in a few seconds at most', () => {
  const sas = [];
  const rbs: ApiBinding[] = [];
  const roles: ApiRole[] = [];
  const namespaces: string[] = [];
  for (let n = 0; n < 500; n++) {
    const ns = `ns-${n}`;
    namespaces.push(ns);
    roles.push(role(ns, 'deploy', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }]));
    for (let s = 0; s < 10; s++) {
      sas.push({ metadata: { name: `sa-${s}`, namespace: ns, labels: { 'pipeline-rbac.io/identity': 'true' } } });
      for (let b = 0; b < 2; b++) rbs.push(rb(ns, `sa-${s}-${b}`, b ? { kind: 'ClusterRole', name: 'view' } : { kind: 'Role', name: 'deploy' }, [{ kind: 'ServiceAccount', name: `sa-${s}`, namespace: ns }]));
    }
  }
  const snap = snapshot({ namespaces, serviceAccounts: sas, roleBindings: rbs, roles, clusterRoles: [{ kind: 'ClusterRole', metadata: { name: 'view' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }] });
  const started = performance.now();
  const model = buildIdentitiesModel(snap, { now: NOW });
  const ms = performance.now() - started;
  assert.equal(model.stats.identities, 5000);
  assert.equal(allIdentities(model).reduce((n, i) => n + i.bindings.length, 0), 10_000);
  assert.ok(ms < 8000, `took ${ms} ms`);
});

test('the JSON form writes each role once and references it from every binding', () => {
  const rbs: ApiBinding[] = [];
  const sas = [];
  for (let s = 0; s < 3; s++) {
    sas.push({ metadata: { name: `sa-${s}`, namespace: 'team-a', labels: { 'pipeline-rbac.io/identity': 'true' } } });
    rbs.push(rb('team-a', `v-${s}`, { kind: 'ClusterRole', name: 'view' }, [{ kind: 'ServiceAccount', name: `sa-${s}`, namespace: 'team-a' }]));
  }
  const model = buildIdentitiesModel(
    snapshot({ serviceAccounts: sas, roleBindings: rbs, clusterRoles: [{ kind: 'ClusterRole', metadata: { name: 'view' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }] }),
    { now: NOW },
  );
  const json = toJsonModel(model);
  assert.deepEqual(Object.keys(json.roles), ['ClusterRole/view']);
  assert.equal(json.roles['ClusterRole/view']!.rules[0]!.text, '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}');
  const refs = json.namespaces.flatMap((n) => n.identities.flatMap((i) => i.bindings.map((b) => b.role)));
  assert.equal(refs.length, 3);
  assert.ok(refs.every((r) => r.key === 'ClusterRole/view' && r.state === 'ok' && !('rules' in r)));
  // The in-memory model the tree uses is untouched.
  assert.equal(allIdentities(model)[0]!.bindings[0]!.role.rules.length, 1);
});
