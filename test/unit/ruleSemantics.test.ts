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
