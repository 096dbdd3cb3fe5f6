/**
 * Issue 23, rule semantics: one minimal fixture per item, through the real analysis (parser, built-in catalog, risk
 * rules), so each message is checked for what it says as well as whether it fires.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeText, type AnalyzeOptions } from '../../server/src/core/engine/analyze';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import type { Finding, RuleId } from '../../server/src/core/engine/model';
import { indexRoles } from '../../server/src/core/engine/roleIndex';
import { parseRbacText } from '../../server/src/core/engine/yaml/parseCache';

const RBAC = 'apiVersion: rbac.authorization.k8s.io/v1';
const of = (fs: Finding[], id: RuleId) => fs.filter((f) => f.ruleId === id);
function analyze(text: string, extra: Partial<AnalyzeOptions> = {}): Finding[] {
  return analyzeText(text, { catalog: builtinCatalog(), ...extra }).findings;
}

describe('2. cluster-scope advice on aggregated ClusterRoles', () => {
  const aggregated = `${RBAC}\nkind: ClusterRole\nmetadata:\n  name: monitoring\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels:\n      example.com/aggregate-to-monitoring: "true"\nrules: []\n`;
  const part = (resources: string) =>
    `${RBAC}\nkind: ClusterRole\nmetadata:\n  name: monitoring-${resources}\n  labels:\n    example.com/aggregate-to-monitoring: "true"\nrules:\n- apiGroups: [""]\n  resources: [${resources}]\n  verbs: [get, list]\n`;
  const crb = `${RBAC}\nkind: ClusterRoleBinding\nmetadata:\n  name: monitoring\nsubjects:\n- kind: ServiceAccount\n  name: agent\n  namespace: mon\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: monitoring\n`;
  const message = (text: string, extra: Partial<AnalyzeOptions> = {}) => of(analyze(text, extra), 'cluster-scope')[0]!.message;

  test('the aggregated roles of the same file grant cluster-scoped nodes: no "use a RoleBinding"', () => {
    const m = message(`${aggregated}---\n${part('nodes')}---\n${crb}`);
    assert.doesNotMatch(m, /all namespaced/);
    assert.match(m, /some of its grants \(nodes\) are cluster-scoped/);
    assert.match(m, /it aggregates the rules of monitoring-nodes, and other ClusterRoles of the cluster may match its selectors/);
  });
  test('no aggregated role known: says so instead of advising', () => {
    const m = message(`${aggregated}---\n${crb}`);
    assert.doesNotMatch(m, /all namespaced|use a RoleBinding/);
    assert.match(m, /it aggregates no ClusterRole known here, and other ClusterRoles of the cluster may match its selectors, so whether a RoleBinding would do is unknown/);
  });
  test('only namespaced parts known: still unknown, never "all namespaced"', () => {
    assert.match(message(`${aggregated}---\n${part('pods')}---\n${crb}`), /it aggregates the rules of monitoring-pods.*whether a RoleBinding would do is unknown/);
  });
  test('the parts in the workspace (another file) are resolved too', () => {
    const workspace = indexRoles(parseRbacText(part('persistentvolumes')).objects, 'default');
    assert.match(message(`${aggregated}---\n${crb}`, { knownRoles: workspace }), /some of its grants \(persistentvolumes\) are cluster-scoped/);
  });
  test('the role and its parts in the workspace, the binding alone in the file', () => {
    const workspace = indexRoles(parseRbacText(`${aggregated}---\n${part('nodes')}`).objects, 'default');
    assert.match(message(crb, { knownRoles: workspace }), /some of its grants \(nodes\) are cluster-scoped/);
  });
  test('live: the cluster\'s controller-filled rules make the set complete', () => {
    const liveRoles: AnalyzeOptions['liveRoles'] = (kind, name) => (kind === 'ClusterRole' && name === 'monitoring' ? [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }] : undefined);
    const m = message(`${aggregated}---\n${crb}`, { liveRoles });
    assert.match(m, /some of its grants \(nodes\) are cluster-scoped/);
    assert.doesNotMatch(m, /may match its selectors/);
  });
});

describe('1. "Did you mean" only for a real typo of a known group', () => {
  const groups = (list: string) => `${RBAC}\nkind: ClusterRole\nmetadata:\n  name: r\nrules:\n- apiGroups: [${list}]\n  resources: [things]\n  verbs: [get]\n`;
  const groupFindings = (list: string) => of(analyze(groups(list)), 'unknown-api-group');
  test('CRD groups under another domain get the information note, no suggestion', () => {
    for (const g of ['apiextensions.crossplane.io', 'cluster.x-k8s.io', 'gateway.networking.x-k8s.io', 'networking.istio.io']) {
      const [f, ...more] = groupFindings(g);
      assert.equal(more.length, 0, g);
      assert.equal(f!.severity, 'information', g);
      assert.match(f!.message, /is not a built-in Kubernetes group; fine if a CRD or aggregated API provides it/, g);
      assert.doesNotMatch(f!.message, /Did you mean/, g);
    }
  });
  test('one small edit of a built-in name, or of its domain, is a typo', () => {
    for (const [g, meant] of [['rbac.authorisation.k8s.io', 'rbac.authorization.k8s.io'], ['networking.k8s.oi', 'networking.k8s.io'], ['app', 'apps']] as const) {
      const [f] = groupFindings(g);
      assert.equal(f!.severity, 'warning', g);
      assert.match(f!.message, new RegExp(`Did you mean "${meant.replace(/\./g, '\\.')}"\\?`), g);
    }
  });
});

const roleOf = (kind: 'Role' | 'ClusterRole', rules: string, ns = 'ci') =>
  `${RBAC}\nkind: ${kind}\nmetadata:\n  name: r\n${kind === 'Role' ? `  namespace: ${ns}\n` : ''}rules:\n${rules}`;
const ruleOf = (groups: string, resources: string, verbs: string, extra = '') => `- apiGroups: [${groups}]\n  resources: [${resources}]\n  verbs: [${verbs}]\n${extra}`;
const crbOf = (role: string) =>
  `${RBAC}\nkind: ClusterRoleBinding\nmetadata:\n  name: all\nsubjects:\n- kind: ServiceAccount\n  name: agent\n  namespace: ci\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: ${role}\n`;

describe('3. a Role grants only namespaced resources', () => {
  test('resources "*" in a Role: no nodes-proxy, pv-create or csr-approve', () => {
    const fs = analyze(roleOf('Role', ruleOf('"", "certificates.k8s.io"', '"*"', 'get, create, update')));
    for (const id of ['nodes-proxy', 'pv-create', 'csr-approve'] as const) assert.deepEqual(of(fs, id), [], id);
    // The same rule in a ClusterRole keeps them.
    const cr = analyze(roleOf('ClusterRole', ruleOf('"", "certificates.k8s.io"', '"*"', 'get, create, update')));
    assert.equal(of(cr, 'nodes-proxy').length, 1);
    assert.equal(of(cr, 'pv-create').length, 1);
  });
  test('a literal cluster-scoped resource in a Role: one information finding that it grants nothing', () => {
    const fs = analyze(roleOf('Role', ruleOf('""', 'nodes/proxy', 'get')));
    assert.deepEqual(fs.map((f) => f.ruleId), ['cluster-scoped-in-role']);
    assert.equal(fs[0]!.severity, 'information');
    assert.match(fs[0]!.message, /^a Role cannot grant cluster-scoped nodes\/proxy; this grants nothing/);
  });
  test('impersonate and status messages of a Role name only what it can grant', () => {
    const fs = analyze(roleOf('Role', ruleOf('""', '"*"', 'impersonate, patch')));
    const imp = of(fs, 'impersonate')[0]!;
    assert.match(imp.message, /includes serviceaccounts\)/);
    assert.doesNotMatch(imp.message, /users|groups/);
    const status = of(fs, 'status-modify')[0]!;
    assert.doesNotMatch(status.message, /nodes\/status|node conditions/);
    assert.match(status.message, /pods\/status, services\/status/);
  });
  test('its own Namespace object is the exception', () => {
    const fs = analyze(roleOf('Role', ruleOf('""', 'namespaces', 'patch')));
    assert.deepEqual(fs.map((f) => f.ruleId), ['namespace-modify']);
    assert.match(fs[0]!.message, /the Role's own namespace/);
  });
});

describe('5. new rules', () => {
  const one = (text: string, id: RuleId) => of(analyze(text), id);
  test('apiservice-write, admission-policy-write, crd-write on the resource item', () => {
    assert.match(one(roleOf('ClusterRole', ruleOf('apiregistration.k8s.io', 'apiservices', 'patch')), 'apiservice-write')[0]!.message, /takes over an aggregated API group/);
    for (const r of ['validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']) {
      assert.equal(one(roleOf('ClusterRole', ruleOf('admissionregistration.k8s.io', r, 'delete')), 'admission-policy-write').length, 1, r);
    }
    assert.match(one(roleOf('ClusterRole', ruleOf('apiextensions.k8s.io', 'customresourcedefinitions', 'create')), 'crd-write')[0]!.message, /conversion webhook/);
    assert.deepEqual(one(roleOf('ClusterRole', ruleOf('apiextensions.k8s.io', 'customresourcedefinitions', 'get, list')), 'crd-write'), []);
  });
  test('configmap-write: a ClusterRole, or a Role in kube-system; not a Role elsewhere, not names without aws-auth', () => {
    const cm = ruleOf('""', 'configmaps', 'update');
    assert.equal(one(roleOf('ClusterRole', cm), 'configmap-write').length, 1);
    assert.match(one(roleOf('Role', cm, 'kube-system'), 'configmap-write')[0]!.message, /in kube-system: on EKS, kube-system\/aws-auth/);
    assert.deepEqual(one(roleOf('Role', cm, 'ci'), 'configmap-write'), []);
    assert.deepEqual(one(roleOf('Role', ruleOf('""', 'configmaps', 'update', '  resourceNames: [app-config]\n'), 'kube-system'), 'configmap-write'), []);
    assert.equal(one(roleOf('Role', ruleOf('""', 'configmaps', 'update', '  resourceNames: [aws-auth]\n'), 'kube-system'), 'configmap-write').length, 1);
  });
  test('nodes-write, and "steal pods" with pods/eviction', () => {
    assert.match(one(roleOf('ClusterRole', ruleOf('""', 'nodes', 'patch')), 'nodes-write')[0]!.message, /relabels, taints or cordons nodes: pulls workloads/);
    const steal = one(roleOf('ClusterRole', ruleOf('""', 'nodes', 'update') + ruleOf('""', 'pods/eviction', 'create')), 'nodes-write');
    assert.match(steal[0]!.message, /with create on pods\/eviction in this role evicts pods .*steal pods/);
    assert.deepEqual(one(roleOf('ClusterRole', ruleOf('""', 'nodes', 'get, list')), 'nodes-write'), []);
  });
  test('cloud-identity: a Role that can act as an annotated ServiceAccount of its namespace', () => {
    const sa = (ns: string, key = 'iam.gke.io/gcp-service-account', value = 'uploader@proj.iam.gserviceaccount.com') =>
      `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: uploader\n  namespace: ${ns}\n  annotations:\n    ${key}: ${value}\n---\n`;
    const tokens = roleOf('Role', ruleOf('""', 'serviceaccounts/token', 'create'));
    const [f, ...more] = one(sa('ci') + tokens, 'cloud-identity');
    assert.equal(more.length, 0);
    assert.equal(f!.severity, 'information');
    assert.match(f!.message, /mints its tokens: ServiceAccount "uploader" of namespace "ci" is annotated iam\.gke\.io\/gcp-service-account: uploader@proj\.iam\.gserviceaccount\.com, so its reach extends to that Google Cloud service account/);
    assert.deepEqual(one(sa('other') + tokens, 'cloud-identity'), [], 'another namespace');
    assert.deepEqual(one(sa('ci') + roleOf('Role', ruleOf('""', 'pods', 'get')), 'cloud-identity'), [], 'no takeover grant');
    assert.match(one(sa('ci', 'eks.amazonaws.com/role-arn', 'arn:aws:iam::1:role/x') + roleOf('Role', ruleOf('apps', 'deployments', 'create')), 'cloud-identity')[0]!.message, /runs a pod as it/);
  });
});

describe('6. severity from scope', () => {
  const everySecret = roleOf('ClusterRole', ruleOf('"*"', '"*"', 'get')).replace('name: r', 'name: reader');
  test('get on */* bound cluster-wide: secrets-read is an error, so a CI gate fails', () => {
    const [f] = of(analyze(`${everySecret}---\n${crbOf('reader')}`), 'secrets-read');
    assert.equal(f!.severity, 'error');
    assert.match(f!.message, /\(bound cluster-wide by ClusterRoleBinding "all"\)$/);
  });
  test('the same ClusterRole unbound, or bound in one namespace, stays a warning', () => {
    assert.equal(of(analyze(everySecret), 'secrets-read')[0]!.severity, 'warning');
    const rb = crbOf('reader').replace('kind: ClusterRoleBinding', 'kind: RoleBinding').replace('name: all\n', 'name: all\n  namespace: ci\n');
    assert.equal(of(analyze(`${everySecret}---\n${rb}`), 'secrets-read')[0]!.severity, 'warning');
  });
  test('pipelineRbac.rules still sets each', () => {
    assert.equal(of(analyze(`${everySecret}---\n${crbOf('reader')}`, { severities: { 'secrets-read': 'warning' } }), 'secrets-read')[0]!.severity, 'warning');
  });
});

test('6. workload-create (information by default) is an error bound cluster-wide; a named Secret read stays information', () => {
  const text = `${roleOf('ClusterRole', ruleOf('""', 'pods', 'create') + ruleOf('""', 'secrets', 'get', '  resourceNames: [one]\n')).replace('name: r', 'name: runner')}---\n${crbOf('runner')}`;
  const fs = analyze(text);
  assert.equal(of(fs, 'workload-create')[0]!.severity, 'error');
  assert.equal(of(fs, 'secrets-read')[0]!.severity, 'information');
});

test('the cloud-identity example triggers cloud-identity (it needs the ServiceAccount beside the Role)', async () => {
  const { RULES } = await import('../../server/src/core/engine/rules/catalog');
  assert.equal(of(analyze(RULES['cloud-identity'].example), 'cloud-identity').length, 1);
});

test('3. apiGroups "*" in a Role: the built-in cluster-scoped resource is not granted, a namesake CRD might be', () => {
  const fs = analyze(roleOf('Role', ruleOf('"*"', 'nodes/proxy', 'get')));
  const [f] = of(fs, 'cluster-scoped-in-role');
  assert.match(f!.message, /^a Role cannot grant cluster-scoped nodes\/proxy; with apiGroups "\*" it grants only a namespaced custom resource of that name/);
  assert.deepEqual(of(fs, 'nodes-proxy'), []);
});
