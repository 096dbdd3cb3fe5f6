import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildIdentitiesModel } from '../../server/src/core/inventory/model';
import { accessMatrix } from '../../server/src/core/inventory/myAccess';
import { accessNodes, bindingChildren, identityChildren, namespaceChildren, namespaceNodes, roleChildren, type ViewNode } from '../../client/src/inventory/treeNodes';
import type { Snapshot } from '../../server/src/core/inventory/types';

const NOW = new Date('2026-11-23T12:00:00Z');
const RBAC = 'rbac.authorization.k8s.io';

const snap: Snapshot = {
  clusterWide: false,
  namespaces: ['locked', 'team-a'],
  serviceAccounts: [
    {
      metadata: {
        name: 'deployer',
        namespace: 'team-a',
        labels: { 'pipeline-rbac.io/identity': 'true' },
        annotations: { 'pipeline-rbac.io/token-kind': 'request', 'pipeline-rbac.io/token-expires': '2026-11-25T12:00:00Z', 'pipeline-rbac.io/pipeline': 'acme/app' },
      },
    },
  ],
  tokenSecrets: [],
  roleBindings: [
    { kind: 'RoleBinding', metadata: { name: 'deployer', namespace: 'team-a' }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'deployer' }, subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' }] },
  ],
  clusterRoleBindings: [],
  roles: [{ kind: 'Role', metadata: { name: 'deployer', namespace: 'team-a' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }, { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] }] }],
  clusterRoles: [],
  readable: ['serviceaccounts/team-a', 'rolebindings/team-a', 'roles/team-a'],
  problems: [
    { resource: 'serviceaccounts', kind: 'forbidden', message: 'listing serviceaccounts in all namespaces failed: forbidden' },
    { resource: 'serviceaccounts', namespace: 'locked', kind: 'forbidden', message: 'listing serviceaccounts in namespace locked failed: forbidden' },
  ],
  stats: { listRequests: 9, otherRequests: 0, fetchMs: 1 },
};

const model = buildIdentitiesModel(snap, { now: NOW, user: 'developer' });
const byLabel = (nodes: ViewNode[], label: string) => {
  const n = nodes.find((x) => x.label === label);
  assert.ok(n, `${label} in ${nodes.map((x) => x.label).join(', ')}`);
  return n;
};

test('namespace level: the cluster-wide 403 is a node, a forbidden namespace is locked, others show counts', () => {
  const top = namespaceNodes(model, 'dev');
  assert.equal(top[0]!.kind, 'problem');
  assert.equal(top[0]!.description, 'showing the namespaces you can see');
  const locked = byLabel(top, 'locked');
  assert.equal(locked.icon, 'lock');
  assert.match(locked.contextValue, /^namespace forbidden/);
  assert.match(locked.tooltip!, /namespace locked failed: forbidden/);
  const teamA = byLabel(top, 'team-a');
  assert.equal(teamA.description, '1 identity');
  assert.equal(teamA.color, 'warning', 'worst severity of its identities');
  // Unique ids across siblings.
  assert.equal(new Set(top.map((n) => n.id)).size, top.length);
});

test('identity level: My Access first, identity with token highlight, context values menus can match', () => {
  const teamA = byLabel(namespaceNodes(model, 'dev'), 'team-a');
  const children = namespaceChildren(model, teamA);
  assert.equal(children[0]!.kind, 'myAccess');
  assert.equal(children[0]!.namespace, 'team-a');
  const id = byLabel(children, 'deployer');
  assert.match(id.contextValue, /\bidentity\b.*\bpipeline\b/);
  assert.match(id.contextValue, /\btoken\b/);
  assert.match(id.contextValue, /\bexpiring\b/);
  assert.equal(id.icon, 'robot');
  assert.equal(id.color, 'warning');
  assert.match(id.description!, /pipeline · acme\/app · token expiring soon/);
  assert.match(id.tooltip!, /`secrets-read`/);
  assert.match(id.tooltip!, /expires in 2d/);

  const below = identityChildren(id);
  assert.equal(below[0]!.kind, 'token');
  assert.equal(below[0]!.color, 'warning');
  assert.match(below[0]!.description!, /expiring soon/);
  const binding = below.find((n) => n.kind === 'binding')!;
  assert.equal(binding.label, 'RoleBinding team-a/deployer');
  assert.equal(binding.description, '-> Role deployer');
  const role = bindingChildren(binding)[0]!;
  assert.equal(role.kind, 'role');
  assert.match(role.contextValue, /^role roleKind readable/);
  const rules = roleChildren(role);
  assert.deepEqual(rules.map((r) => r.label), ['get · secrets (core)', 'patch · deployments (apps)']);
  assert.equal(rules[0]!.color, 'warning');
  assert.match(rules[0]!.contextValue, /risky/);
  assert.match(rules[0]!.tooltip!, /`secrets-read`/);
  const ids = [id, ...below, role, ...rules].map((n) => n.id);
  assert.equal(new Set(ids).size, ids.length);
});

test('My Access rows and the incomplete marker', () => {
  const parent = namespaceChildren(model, byLabel(namespaceNodes(model, 'dev'), 'team-a'))[0]!;
  const m = accessMatrix({ resourceRules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }], nonResourceRules: [], incomplete: true }, 'team-a');
  const nodes = accessNodes(m, parent);
  assert.equal(nodes[0]!.contextValue, 'message incomplete');
  const cm = byLabel(nodes, 'configmaps');
  assert.equal(cm.description, 'get list');
  assert.match(cm.tooltip!, /\| create \| \? \|/);
});

test('non-resource URLs fold into one My Access row', () => {
  const parent = namespaceChildren(model, byLabel(namespaceNodes(model, 'dev'), 'team-a'))[0]!;
  const m = accessMatrix({ resourceRules: [], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/version', '/api/*'] }], incomplete: false }, 'team-a');
  const nodes = accessNodes(m, parent);
  assert.equal(nodes.length, 1);
  assert.equal(nodes[0]!.label, 'Non-resource URLs');
  assert.equal(nodes[0]!.description, '3 URLs');
  assert.match(nodes[0]!.tooltip!, /\| \/healthz \| get \|/);
});

test('several cluster-wide 403s: a short label that fits the sidebar, the kinds in the description and tooltip', () => {
  const kinds = ['namespaces', 'clusterrolebindings', 'clusterroles', 'serviceaccounts', 'secrets'];
  const many = buildIdentitiesModel(
    { ...snap, problems: kinds.map((resource) => ({ resource, kind: 'forbidden' as const, message: `listing ${resource} in all namespaces failed: forbidden` })) },
    { now: NOW, user: 'developer' },
  );
  const top = namespaceNodes(many, 'dev')[0]!;
  assert.equal(top.label, 'Cannot list 5 kinds cluster-wide');
  assert.ok(top.label.length <= 40, top.label);
  assert.equal(top.description, `${kinds.join(', ')} \u00b7 showing the namespaces you can see`);
  for (const k of kinds) assert.match(top.tooltip!, new RegExp(`listing ${k} in all namespaces failed`));
});
