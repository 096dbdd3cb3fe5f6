/** Risk rules on RoleBindings/ClusterRoleBindings, and the catalogue's completeness and examples. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding, RuleId } from '../../server/src/core/engine/model';
import { RULE_LIST, RULES } from '../../server/src/core/engine/rules/catalog';
import { riskFindings } from '../../server/src/core/engine/rules/risks';
import { objectFromYaml, objectsFromYaml, textAt } from './helpers/objects';

function binding(kind: 'RoleBinding' | 'ClusterRoleBinding', roleRef: [string, string], subjects: string): string {
  const ns = kind === 'RoleBinding' ? '  namespace: ci\n' : '';
  return `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: deployer\n${ns}subjects:\n${subjects}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ${roleRef[0]}\n  name: ${roleRef[1]}\n`;
}
const sa = (name: string, ns = 'ci') => `- kind: ServiceAccount\n  name: ${name}\n  namespace: ${ns}\n`;
const group = (name: string) => `- kind: Group\n  name: ${name}\n  apiGroup: rbac.authorization.k8s.io\n`;

function run(text: string): Finding[] {
  return riskFindings(objectFromYaml(text));
}
const of = (fs: Finding[], id: RuleId) => fs.filter((f) => f.ruleId === id);

describe('cluster-scope', () => {
  test('every ClusterRoleBinding, on its kind', () => {
    const text = binding('ClusterRoleBinding', ['ClusterRole', 'deployer'], sa('pipeline'));
    const got = of(run(text), 'cluster-scope');
    assert.equal(got.length, 1);
    assert.equal(got[0]!.severity, 'warning');
    assert.equal(textAt(text, got[0]!.span), 'ClusterRoleBinding');
    assert.ok(got[0]!.message.includes('every namespace'));
  });
  test('a RoleBinding of a ClusterRole to a ServiceAccount: information on roleRef.kind', () => {
    const text = binding('RoleBinding', ['ClusterRole', 'deployer'], sa('pipeline'));
    const got = of(run(text), 'cluster-scope');
    assert.equal(got.length, 1);
    assert.equal(got[0]!.severity, 'information');
    assert.equal(textAt(text, got[0]!.span), 'ClusterRole');
  });
  test('a RoleBinding of a Role, or of a ClusterRole to a user, is fine', () => {
    assert.deepEqual(of(run(binding('RoleBinding', ['Role', 'deployer'], sa('pipeline'))), 'cluster-scope'), []);
    assert.deepEqual(of(run(binding('RoleBinding', ['ClusterRole', 'view'], '- kind: User\n  name: jane\n')), 'cluster-scope'), []);
  });
});

describe('broad-role-binding', () => {
  test('cluster-admin is an error, admin/edit warnings, on roleRef.name', () => {
    for (const [name, severity] of [['cluster-admin', 'error'], ['admin', 'warning'], ['edit', 'warning']] as const) {
      const text = binding('RoleBinding', ['ClusterRole', name], sa('pipeline'));
      const got = of(run(text), 'broad-role-binding');
      assert.equal(got.length, 1, name);
      assert.equal(got[0]!.severity, severity);
      assert.equal(textAt(text, got[0]!.span), name);
    }
  });
  test('view, or a namespaced Role named admin, is not broad', () => {
    assert.deepEqual(of(run(binding('RoleBinding', ['ClusterRole', 'view'], sa('pipeline'))), 'broad-role-binding'), []);
    assert.deepEqual(of(run(binding('RoleBinding', ['Role', 'admin'], sa('pipeline'))), 'broad-role-binding'), []);
  });
});

describe('anonymous-subject and default-service-account', () => {
  test('system:anonymous, system:unauthenticated, system:authenticated, on each subject name', () => {
    const text = binding('RoleBinding', ['Role', 'r'], group('system:unauthenticated') + group('system:authenticated') + '- kind: User\n  name: system:anonymous\n' + group('developers'));
    const got = of(run(text), 'anonymous-subject');
    assert.deepEqual(got.map((f) => textAt(text, f.span)), ['system:unauthenticated', 'system:authenticated', 'system:anonymous']);
    assert.ok(got.every((f) => f.severity === 'error'));
  });
  test('the default ServiceAccount, not others', () => {
    const text = binding('RoleBinding', ['Role', 'r'], sa('pipeline') + sa('default', 'apps'));
    const got = of(run(text), 'default-service-account');
    assert.equal(got.length, 1);
    assert.equal(textAt(text, got[0]!.span), 'default');
    assert.ok(got[0]!.message.includes('"apps"'));
  });
});

describe('catalogue', () => {
  const ALL: RuleId[] = [
    'not-held', 'binding-not-held', 'yaml-syntax', 'schema', 'unknown-api-group', 'unknown-resource', 'unknown-verb', 'wildcard',
    'secrets-read', 'token-create', 'workload-create', 'pods-exec', 'escalate-verb', 'bind-verb', 'impersonate', 'nodes-proxy',
    'csr-approve', 'webhook-config', 'pv-create', 'namespace-modify', 'status-modify', 'aggregation', 'cluster-scope',
    'broad-role-binding', 'anonymous-subject', 'default-service-account', 'unused-permission',
    'binding-write', 'secrets-write', 'network-policy-modify', 'masters-subject', 'helm-template',
    'missing-permission', 'render-error', 'no-rbac-rendered', 'admission-policy-write', 'apiservice-write', 'crd-write', 'configmap-write', 'nodes-write',
    'cloud-identity', 'cluster-scoped-in-role', 'reach',
  ];
  test('every rule id has complete metadata', () => {
    assert.deepEqual(RULE_LIST.map((r) => r.id).sort(), [...ALL].sort());
    for (const r of RULE_LIST) {
      assert.ok(r.title && r.description.length > 60 && r.fix, r.id);
      assert.match(r.docs, /^https:\/\/(kubernetes\.io\/docs\/(concepts|reference|tasks)\/[a-z/-]+#?|helm\.sh\/docs\/helm\/|docs\.aws\.amazon\.com\/eks\/latest\/userguide\/)[a-z_-]*(\/|\.html)?$/, r.id);
      for (const id of r.references.rbacPolice ?? []) assert.match(id, /^[a-zA-Z_0-9]+$/);
      for (const id of r.references.kubescape ?? []) assert.match(id, /^C-\d{4}$/);
      for (const id of r.references.checkov ?? []) assert.match(id, /^CKV2?_K8S_\d+$/);
      for (const id of r.references.trivy ?? []) assert.match(id, /^KSV-\d{4,5}$/);
      for (const id of r.references.kubelinter ?? []) assert.match(id, /^[a-z-]+$/);
    }
    assert.equal(RULES['workload-create'].defaultSeverity, 'information');
  });
  // Examples of the risk rules must trigger exactly their rule (the others need held rules, manifests or a parser).
  const RISK_IDS = ALL.filter((id) => !['not-held', 'binding-not-held', 'yaml-syntax', 'schema', 'unknown-api-group', 'unknown-resource', 'unknown-verb', 'unused-permission', 'helm-template', 'missing-permission', 'render-error', 'no-rbac-rendered', 'cloud-identity', 'reach'].includes(id));
  for (const id of RISK_IDS) {
    test(`the ${id} example triggers ${id}`, () => {
      const [obj] = objectsFromYaml(RULES[id].example);
      assert.ok(obj);
      assert.ok(riskFindings(obj).some((f) => f.ruleId === id));
    });
  }
});
