/** Risk rules on Roles/ClusterRoles: apiGroup awareness, every rule, wildcards, resourceNames, precise spans. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding, RuleId } from '../../server/src/core/engine/model';
import { riskFindings } from '../../server/src/core/engine/rules/risks';
import { objectFromYaml, roleYaml, textAt } from './helpers/objects';

function run(rules: string, kind: 'Role' | 'ClusterRole' = 'Role'): { text: string; findings: Finding[] } {
  const text = roleYaml(rules, kind);
  return { text, findings: riskFindings(objectFromYaml(text)) };
}

const of = (findings: Finding[], id: RuleId) => findings.filter((f) => f.ruleId === id);
const rule = (groups: string, resources: string, verbs: string, extra = '') =>
  `- apiGroups: [${groups}]\n  resources: [${resources}]\n  verbs: [${verbs}]\n${extra}`;

/** Exactly one finding of `id`, on the item whose text is `item`, whose message names every `words`. */
function one(rules: string, id: RuleId, item: string, words: string[], kind: 'Role' | 'ClusterRole' = 'Role'): Finding {
  const { text, findings } = run(rules, kind);
  const got = of(findings, id);
  assert.equal(got.length, 1, `${id}: ${JSON.stringify(findings.map((f) => [f.ruleId, f.message]))}`);
  const f = got[0]!;
  assert.equal(textAt(text, f.span), item);
  for (const w of words) assert.ok(f.message.includes(w), `"${f.message}" should name ${w}`);
  assert.ok(!f.message.includes('\n'));
  return f;
}

function none(rules: string, id: RuleId, kind: 'Role' | 'ClusterRole' = 'Role'): void {
  const { findings } = run(rules, kind);
  assert.deepEqual(of(findings, id).map((f) => f.message), []);
}

describe('secrets-read', () => {
  for (const verb of ['get', 'list', 'watch', '*']) {
    test(`${verb} on core secrets`, () => {
      const f = one(rule('""', '"secrets"', `"${verb}"`), 'secrets-read', 'secrets', [verb, 'secrets', 'core']);
      assert.equal(f.severity, 'warning');
      assert.deepEqual(f.data, { ruleIndex: 0, field: 'resources', value: 'secrets' });
    });
  }
  test('a custom group\'s secrets are not core Secrets', () => none(rule('"vault.example.com"', '"secrets"', '"get"'), 'secrets-read'));
  test('apiGroup * and resource * match', () => {
    one(rule('"*"', '"secrets"', '"list"'), 'secrets-read', 'secrets', ['apiGroup *', 'core']);
    one(rule('""', '"*"', '"get"'), 'secrets-read', '*', ['includes secrets']);
  });
  test('create/update only is not a read', () => none(rule('""', '"secrets"', '"create", "update"'), 'secrets-read'));
  test('every rule is inspected, not only the first', () => {
    const { text, findings } = run(rule('""', '"pods"', '"get"') + rule('apps', '"deployments"', '"get"') + rule('""', '"configmaps", "secrets"', '"watch"'));
    const got = of(findings, 'secrets-read');
    assert.equal(got.length, 1);
    assert.equal(got[0]!.data?.ruleIndex, 2);
    assert.equal(textAt(text, got[0]!.span), 'secrets');
  });
  test('resourceNames are noted', () => {
    one(rule('""', '"secrets"', '"get"', '  resourceNames: ["registry-creds"]\n'), 'secrets-read', 'secrets', ['resourceNames registry-creds']);
  });
});

describe('token-create', () => {
  test('create serviceaccounts/token', () => void one(rule('""', '"serviceaccounts/token"', '"create"'), 'token-create', 'serviceaccounts/token', ['create']));
  test('create secrets', () => void one(rule('""', '"secrets"', '"create"'), 'token-create', 'secrets', ['create', 'secrets']));
  test('*/token matches the token subresource', () => void one(rule('""', '"*/token"', '"create"'), 'token-create', '*/token', ['includes serviceaccounts/token']));
  test('create secrets with resourceNames grants nothing (create has no name)', () =>
    none(rule('""', '"secrets"', '"create"', '  resourceNames: ["x"]\n'), 'token-create'));
  test('serviceaccounts/token with resourceNames still mints (the name is in the URL), noted', () =>
    void one(rule('""', '"serviceaccounts/token"', '"create"', '  resourceNames: ["builder"]\n'), 'token-create', 'serviceaccounts/token', ['resourceNames builder']));
  test('get on serviceaccounts/token is not minting', () => none(rule('""', '"serviceaccounts/token"', '"get"'), 'token-create'));
});

describe('workload-create', () => {
  const cases: [string, string][] = [
    ['""', 'pods'],
    ['""', 'replicationcontrollers'],
    ['"apps"', 'deployments'],
    ['"apps"', 'replicasets'],
    ['"apps"', 'statefulsets'],
    ['"apps"', 'daemonsets'],
    ['"batch"', 'jobs'],
    ['"batch"', 'cronjobs'],
  ];
  for (const [group, resource] of cases) {
    for (const verb of ['create', 'update', 'patch']) {
      test(`${verb} ${resource}`, () => {
        const f = one(rule(group, `"${resource}"`, `"${verb}"`), 'workload-create', resource, [verb, resource]);
        assert.equal(f.severity, 'information');
      });
    }
  }
  test('deployments in the core group or a custom group is not a workload', () => {
    none(rule('""', '"deployments"', '"create"'), 'workload-create');
    none(rule('"example.com"', '"pods"', '"create"'), 'workload-create');
  });
  test('one finding per resource item, each on its item', () => {
    const { text, findings } = run(rule('"apps", "batch"', '"deployments", "configmaps", "cronjobs"', '"get", "patch"'));
    const got = of(findings, 'workload-create');
    assert.deepEqual(got.map((f) => textAt(text, f.span)), ['deployments', 'cronjobs']);
    assert.ok(got.every((f) => f.message.startsWith('patch on')));
  });
  test('get/delete only is not a workload write', () => none(rule('""', '"pods"', '"get", "delete"'), 'workload-create'));
  test('create pods with resourceNames grants nothing', () => none(rule('""', '"pods"', '"create"', '  resourceNames: ["a"]\n'), 'workload-create'));
  test('update pods with resourceNames is noted', () =>
    void one(rule('""', '"pods"', '"update"', '  resourceNames: ["a"]\n'), 'workload-create', 'pods', ['resourceNames a']));
});

describe('pods-exec', () => {
  for (const sub of ['exec', 'attach', 'portforward']) {
    test(`create or get on pods/${sub}`, () => {
      one(rule('""', `"pods/${sub}"`, '"create"'), 'pods-exec', `pods/${sub}`, ['create']);
      one(rule('""', `"pods/${sub}"`, '"get"'), 'pods-exec', `pods/${sub}`, ['get']);
    });
  }
  test('ephemeralcontainers on update/patch only', () => {
    one(rule('""', '"pods/ephemeralcontainers"', '"patch"'), 'pods-exec', 'pods/ephemeralcontainers', ['patch']);
    none(rule('""', '"pods/ephemeralcontainers"', '"get"'), 'pods-exec');
  });
  test('*/exec matches; pods alone does not', () => {
    one(rule('""', '"*/exec"', '"create"'), 'pods-exec', '*/exec', ['includes pods/exec']);
    none(rule('""', '"pods"', '"*"'), 'pods-exec');
  });
  test('one finding for * covering all four', () => void one(rule('""', '"*"', '"*"'), 'pods-exec', '*', ['pods/exec', 'pods/ephemeralcontainers']));
});

describe('escalate-verb and bind-verb (on the verb item)', () => {
  test('escalate on roles', () => {
    const f = one(rule('"rbac.authorization.k8s.io"', '"roles"', '"get", "escalate"'), 'escalate-verb', 'escalate', ['escalate', 'roles']);
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.data, { ruleIndex: 0, field: 'verbs', value: 'escalate' });
  });
  test('escalate on clusterroles is caught too', () => void one(rule('"rbac.authorization.k8s.io"', '"clusterroles"', '"escalate"'), 'escalate-verb', 'escalate', ['clusterroles'], 'ClusterRole'));
  test('* verb on roles counts as escalate and bind', () => {
    one(rule('"rbac.authorization.k8s.io"', '"roles", "clusterroles"', '"*"'), 'escalate-verb', '*', ['roles, clusterroles'], 'ClusterRole');
    one(rule('"rbac.authorization.k8s.io"', '"roles"', '"*"'), 'bind-verb', '*', ['roles']);
  });
  test('a Role cannot grant escalate or bind on clusterroles (cluster-scoped)', () => {
    none(rule('"rbac.authorization.k8s.io"', '"clusterroles"', '"bind", "escalate"'), 'bind-verb');
    none(rule('"rbac.authorization.k8s.io"', '"clusterroles"', '"bind", "escalate"'), 'escalate-verb');
  });
  test('bind on roles/clusterroles, not on rolebindings', () => {
    one(rule('"rbac.authorization.k8s.io"', '"clusterroles"', '"bind"'), 'bind-verb', 'bind', ['bind', 'clusterroles'], 'ClusterRole');
    none(rule('"rbac.authorization.k8s.io"', '"rolebindings"', '"bind"'), 'bind-verb');
  });
  test('roles in another group are not RBAC roles', () => none(rule('"example.com"', '"roles"', '"bind", "escalate"'), 'bind-verb'));
  test('bind with resourceNames is noted as narrowed', () =>
    void one(rule('"rbac.authorization.k8s.io"', '"clusterroles"', '"bind"', '  resourceNames: ["view"]\n'), 'bind-verb', 'bind', ['resourceNames view'], 'ClusterRole'));
});

describe('impersonate', () => {
  for (const res of ['users', 'groups', 'serviceaccounts']) {
    test(`impersonate core ${res}`, () => void one(rule('""', `"${res}"`, '"impersonate"'), 'impersonate', 'impersonate', [res], 'ClusterRole'));
  }
  test('uids and userextras/* in authentication.k8s.io', () => {
    one(rule('"authentication.k8s.io"', '"uids"', '"impersonate"'), 'impersonate', 'impersonate', ['uids'], 'ClusterRole');
    one(rule('"authentication.k8s.io"', '"userextras/scopes"', '"impersonate"'), 'impersonate', 'impersonate', ['userextras/scopes'], 'ClusterRole');
  });
  test('users in authentication.k8s.io or uids in core are not impersonation targets', () => {
    none(rule('"authentication.k8s.io"', '"users"', '"impersonate"'), 'impersonate');
    none(rule('""', '"uids"', '"impersonate"'), 'impersonate');
  });
});

describe('other resource risks', () => {
  test('nodes-proxy on get/create, */proxy too; list is no proxy verb', () => {
    one(rule('""', '"nodes/proxy"', '"get"'), 'nodes-proxy', 'nodes/proxy', ['get'], 'ClusterRole');
    none(rule('""', '"nodes/proxy"', '"list"'), 'nodes-proxy', 'ClusterRole');
    one(rule('""', '"*/proxy"', '"create"'), 'nodes-proxy', '*/proxy', ['includes nodes/proxy'], 'ClusterRole');
    none(rule('""', '"nodes"', '"get"'), 'nodes-proxy', 'ClusterRole');
  });
  test('csr-approve: approval subresource update, approve on signers (each half alone is information)', () => {
    one(rule('"certificates.k8s.io"', '"certificatesigningrequests/approval"', '"update"'), 'csr-approve', 'certificatesigningrequests/approval', ['update'], 'ClusterRole');
    one(rule('"certificates.k8s.io"', '"signers"', '"approve"', '  resourceNames: ["kubernetes.io/kube-apiserver-client"]\n'), 'csr-approve', 'signers', ['approve', 'kube-apiserver-client'], 'ClusterRole');
    none(rule('"certificates.k8s.io"', '"certificatesigningrequests"', '"get", "create"'), 'csr-approve', 'ClusterRole');
  });
  test('webhook-config', () => {
    one(rule('"admissionregistration.k8s.io"', '"validatingwebhookconfigurations"', '"delete"'), 'webhook-config', 'validatingwebhookconfigurations', ['delete'], 'ClusterRole');
    none(rule('"admissionregistration.k8s.io"', '"mutatingwebhookconfigurations"', '"get", "list"'), 'webhook-config', 'ClusterRole');
  });
  test('pv-create: create only, core only', () => {
    one(rule('""', '"persistentvolumes"', '"create"'), 'pv-create', 'persistentvolumes', ['create'], 'ClusterRole');
    none(rule('""', '"persistentvolumeclaims"', '"create"'), 'pv-create');
  });
  test('namespace-modify: patch/update namespaces', () => {
    one(rule('""', '"namespaces"', '"patch"'), 'namespace-modify', 'namespaces', ['patch'], 'ClusterRole');
    none(rule('""', '"namespaces"', '"get", "create"'), 'namespace-modify', 'ClusterRole');
  });
  test('status-modify on pods/services/nodes status, */status too', () => {
    for (const r of ['pods/status', 'services/status', 'nodes/status']) one(rule('""', `"${r}"`, '"update"'), 'status-modify', r, ['update'], 'ClusterRole');
    one(rule('""', '"*/status"', '"patch"'), 'status-modify', '*/status', ['includes pods/status, services/status, nodes/status'], 'ClusterRole');
    none(rule('"apps"', '"deployments/status"', '"update"'), 'status-modify');
  });
});

describe('wildcard', () => {
  test('each * item is flagged on its own span', () => {
    const { text, findings } = run(rule('"apps"', '"*"', '"get", "*"'));
    const got = of(findings, 'wildcard');
    assert.deepEqual(got.map((f) => [textAt(text, f.span), f.data?.field]), [['*', 'verbs'], ['*', 'resources']]);
    assert.ok(got.every((f) => f.severity === 'warning'));
    assert.ok(got[0]!.data?.replacement?.includes('get'));
  });
  test('apiGroups * and */scale', () => {
    const { findings } = run(rule('"*"', '"*/scale"', '"get"'));
    assert.deepEqual(of(findings, 'wildcard').map((f) => f.data?.field), ['resources', 'apiGroups']);
  });
  test('*/*/* is one admin-equivalent error on the rule', () => {
    const { text, findings } = run(rule('""', '"pods"', '"get"') + rule('"*"', '"*"', '"*"'), 'ClusterRole');
    const got = of(findings, 'wildcard');
    assert.equal(got.length, 1);
    assert.equal(got[0]!.severity, 'error');
    assert.ok(textAt(text, got[0]!.span).startsWith('apiGroups: ["*"]'));
    assert.equal(got[0]!.data?.ruleIndex, 1);
  });
  test('nonResourceURLs "*" but not a prefix glob', () => {
    const { findings } = run('- nonResourceURLs: ["*", "/healthz/*"]\n  verbs: ["get"]\n', 'ClusterRole');
    assert.deepEqual(of(findings, 'wildcard').map((f) => f.data?.value), ['*']);
  });
  test('no wildcard, no finding', () => none(rule('"apps"', '"deployments"', '"get"'), 'wildcard'));
});

describe('aggregation on ClusterRoles', () => {
  test('aggregationRule', () => {
    const text = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: monitoring\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels:\n      example.com/aggregate-to-monitoring: "true"\nrules: []\n';
    const got = of(riskFindings(objectFromYaml(text)), 'aggregation');
    assert.equal(got.length, 1);
    assert.ok(textAt(text, got[0]!.span).startsWith('clusterRoleSelectors'));
  });
  test('aggregate-to-* labels name the target role, on the label key', () => {
    const text = roleYaml(rule('""', '"pods"', '"get"'), 'ClusterRole').replace('metadata:\n', 'metadata:\n  labels:\n    rbac.authorization.k8s.io/aggregate-to-admin: "true"\n    rbac.authorization.k8s.io/aggregate-to-view: "false"\n');
    const got = of(riskFindings(objectFromYaml(text)), 'aggregation');
    assert.equal(got.length, 1);
    assert.ok(got[0]!.message.includes('"admin"'));
    assert.equal(textAt(text, got[0]!.span), 'rbac.authorization.k8s.io/aggregate-to-admin');
  });
});
