/** Each reach step with its exact RBAC edge cases: verbs, subresources, resourceNames, scope, group subjects. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clusterRole, clusterRoleBinding, pipeline, reachedKeys, role, roleBinding, rule, sa, saSubject } from './helpers/reachUniverse';

const TEAM_A = ['team-a/db-migrator', 'team-a/default'];

describe('workloads', () => {
  test('create deployments in team-a reaches every ServiceAccount of team-a, not of team-b', () => {
    const { graph, subject } = pipeline('ci/deployer', [], {
      sas: [...TEAM_A, 'team-b/x'],
      roles: [role('team-a/deploy', rule(['create'], ['apps'], ['deployments']))],
      bindings: [roleBinding('team-a/ci', { kind: 'Role', name: 'deploy' }, saSubject('ci/deployer'))],
    });
    assert.deepEqual(reachedKeys(graph, subject), ['ServiceAccount team-a/db-migrator', 'ServiceAccount team-a/default']);
    const r = graph.outbound(subject).find((x) => x.identity.kind === 'ServiceAccount' && x.identity.name === 'db-migrator')!;
    assert.equal(r.path.length, 1);
    assert.equal(r.path[0]!.action, 'create deployments.apps');
    assert.equal(r.path[0]!.namespace, 'team-a');
    assert.equal(r.path[0]!.matches[0]!.grant.binding, 'RoleBinding team-a/ci');
  });

  test('the wrong API group, get, or deployments/scale do not create a workload', () => {
    for (const r of [rule(['create'], [''], ['deployments']), rule(['get', 'list'], ['apps'], ['deployments']), rule(['create', 'update'], ['apps'], ['deployments/scale'])]) {
      const { graph, subject } = pipeline('team-a/ci', [r], { sas: TEAM_A });
      assert.deepEqual(reachedKeys(graph, subject), [], JSON.stringify(r));
    }
  });

  test('patch of a named existing Deployment counts (its template names the account); patch of pods does not change the account but takes the pod', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['patch'], ['apps'], ['deployments'], ['web'])], { sas: TEAM_A });
    const [first] = graph.outbound(subject);
    assert.equal(first!.path[0]!.action, 'patch deployments.apps web');
    assert.equal(reachedKeys(graph, subject).length, 2);
  });

  test('a ClusterRole bound by a RoleBinding grants in that namespace only; by a ClusterRoleBinding, everywhere', () => {
    const cr = clusterRole('pods-create', rule(['create'], [''], ['pods']));
    const rb = pipeline('ci/p', [], { sas: [...TEAM_A, 'team-b/x'], roles: [cr], bindings: [roleBinding('team-b/p', { kind: 'ClusterRole', name: 'pods-create' }, saSubject('ci/p'))] });
    assert.deepEqual(reachedKeys(rb.graph, rb.subject), ['ServiceAccount team-b/x']);
    const crb = pipeline('ci/p', [], { sas: [...TEAM_A, 'team-b/x'], roles: [cr], bindings: [clusterRoleBinding('p', { kind: 'ClusterRole', name: 'pods-create' }, saSubject('ci/p'))] });
    assert.deepEqual(reachedKeys(crb.graph, crb.subject), ['ServiceAccount ci/default', 'ServiceAccount team-a/db-migrator', 'ServiceAccount team-a/default', 'ServiceAccount team-b/x'].filter((k) => k !== 'ServiceAccount ci/default'));
  });
});

describe('serviceaccounts/token', () => {
  test('resourceNames restrict TokenRequest to the named ServiceAccount', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['create'], [''], ['serviceaccounts/token'], ['db-migrator'])], { sas: TEAM_A });
    assert.deepEqual(reachedKeys(graph, subject), ['ServiceAccount team-a/db-migrator']);
  });
  test('*/token matches; serviceaccounts without the subresource, and get on the subresource, do not', () => {
    assert.equal(reachedKeys(...args(pipeline('team-a/ci', [rule(['create'], [''], ['*/token'])], { sas: TEAM_A }))).length, 2);
    assert.deepEqual(reachedKeys(...args(pipeline('team-a/ci', [rule(['create'], [''], ['serviceaccounts'])], { sas: TEAM_A }))), []);
    assert.deepEqual(reachedKeys(...args(pipeline('team-a/ci', [rule(['get'], [''], ['serviceaccounts/token'])], { sas: TEAM_A }))), []);
  });
});

describe('Secrets', () => {
  const secrets = { 'team-a/db-migrator-token': 'db-migrator', 'team-a/other-token': 'default' };
  test('list returns every legacy token of the namespace', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['list'], [''], ['secrets'])], { sas: TEAM_A, tokenSecrets: secrets });
    assert.deepEqual(reachedKeys(graph, subject), ['ServiceAccount team-a/db-migrator', 'ServiceAccount team-a/default']);
  });
  test('get with resourceNames reaches only the account whose token Secret is named', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['get'], [''], ['secrets'], ['db-migrator-token'])], { sas: TEAM_A, tokenSecrets: secrets });
    assert.deepEqual(reachedKeys(graph, subject), ['ServiceAccount team-a/db-migrator']);
    assert.equal(graph.outbound(subject)[0]!.path[0]!.action, 'get secrets db-migrator-token');
  });
  test('a ServiceAccount without a legacy token Secret is not reached by reading Secrets', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['get', 'list', 'watch'], [''], ['secrets'])], { sas: TEAM_A, tokenSecrets: { 'team-a/t': 'db-migrator' } });
    assert.deepEqual(reachedKeys(graph, subject), ['ServiceAccount team-a/db-migrator']);
  });
  test('create alone cannot read the token the controller writes; create + get can (any account of N)', () => {
    assert.deepEqual(reachedKeys(...args(pipeline('team-a/ci', [rule(['create'], [''], ['secrets'])], { sas: TEAM_A }))), []);
    const both = pipeline('team-a/ci', [rule(['create'], [''], ['secrets']), rule(['get'], [''], ['secrets'], ['mine'])], { sas: TEAM_A });
    assert.deepEqual(reachedKeys(both.graph, both.subject), ['ServiceAccount team-a/db-migrator', 'ServiceAccount team-a/default']);
    assert.equal(both.graph.outbound(both.subject)[0]!.path[0]!.id, 'token-secret');
  });
  test('create with resourceNames never allows create (a create request has no name)', () => {
    assert.deepEqual(reachedKeys(...args(pipeline('team-a/ci', [rule(['create', 'get'], [''], ['secrets'], ['mine'])], { sas: TEAM_A }))), []);
  });
});

describe('pods', () => {
  const pods = [
    { namespace: 'team-a', name: 'migrate-1', serviceAccount: 'db-migrator', node: 'n1' },
    { namespace: 'team-a', name: 'web-1', serviceAccount: 'default', node: 'n2' },
  ];
  test('exec into listed pods reaches their accounts, resourceNames respected', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['create'], [''], ['pods/exec'], ['web-1'])], { sas: TEAM_A, pods, podNamespaces: ['team-a'] });
    assert.deepEqual(reachedKeys(graph, subject), ['ServiceAccount team-a/default']);
  });
  test('get on pods/exec is not exec (1.36 authorizes the WebSocket upgrade as create)', () => {
    assert.deepEqual(reachedKeys(...args(pipeline('team-a/ci', [rule(['get'], [''], ['pods/exec'])], { sas: TEAM_A, pods, podNamespaces: ['team-a'] }))), []);
  });
  test('pods not listed: attach reaches any account of the namespace, and says so', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['create'], [''], ['pods/attach'])], { sas: TEAM_A });
    const out = graph.outbound(subject);
    assert.equal(out.length, 2);
    assert.match(out[0]!.path[0]!.note ?? '', /pods not listed/);
  });
  test('ephemeral containers and pod patches take over existing pods; */ephemeralcontainers matches', () => {
    assert.equal(reachedKeys(...args(pipeline('team-a/ci', [rule(['patch'], [''], ['*/ephemeralcontainers'])], { sas: TEAM_A, pods, podNamespaces: ['team-a'] }))).length, 2);
    assert.equal(reachedKeys(...args(pipeline('team-a/ci', [rule(['update'], [''], ['pods'])], { sas: TEAM_A, pods, podNamespaces: ['team-a'] }))).length, 2);
  });
  test('nodes/proxy on a named node reaches the pods on that node', () => {
    const { graph, subject } = pipeline('ci/p', [], {
      sas: TEAM_A,
      pods,
      podsEverywhere: true,
      roles: [clusterRole('proxy', rule(['get'], [''], ['nodes/proxy'], ['n1']))],
      bindings: [clusterRoleBinding('p', { kind: 'ClusterRole', name: 'proxy' }, saSubject('ci/p'))],
    });
    assert.deepEqual(reachedKeys(graph, subject), ['ServiceAccount team-a/db-migrator']);
  });
  test('nodes/proxy in a Role grants nothing (nodes are cluster-scoped)', () => {
    assert.deepEqual(reachedKeys(...args(pipeline('team-a/ci', [rule(['get', 'create'], [''], ['nodes/proxy'])], { sas: TEAM_A }))), []);
  });
});

describe('group subjects', () => {
  test('a binding to system:serviceaccounts:team-a holds for every account of team-a, and to system:authenticated for everyone', () => {
    for (const group of ['system:serviceaccounts:ci', 'system:serviceaccounts', 'system:authenticated']) {
      const { graph, subject } = pipeline('ci/p', [], {
        sas: TEAM_A,
        roles: [role('team-a/tok', rule(['create'], [''], ['serviceaccounts/token'], ['db-migrator']))],
        bindings: [roleBinding('team-a/g', { kind: 'Role', name: 'tok' }, { kind: 'Group', name: group })],
      });
      assert.deepEqual(reachedKeys(graph, subject), ['ServiceAccount team-a/db-migrator'], group);
    }
    const other = pipeline('ci/p', [], {
      sas: TEAM_A,
      roles: [role('team-a/tok', rule(['create'], [''], ['serviceaccounts/token']))],
      bindings: [roleBinding('team-a/g', { kind: 'Role', name: 'tok' }, { kind: 'Group', name: 'system:serviceaccounts:team-b' })],
    });
    assert.deepEqual(reachedKeys(other.graph, other.subject), []);
  });
  test('an unqualified ServiceAccount subject of a RoleBinding means the binding\'s namespace', () => {
    const { graph } = pipeline('ci/p', [], {
      sas: TEAM_A,
      roles: [role('team-a/tok', rule(['create'], [''], ['serviceaccounts/token'], ['db-migrator']))],
      bindings: [roleBinding('team-a/g', { kind: 'Role', name: 'tok' }, { kind: 'ServiceAccount', name: 'default' })],
    });
    assert.deepEqual(reachedKeys(graph, sa('team-a/default')), ['ServiceAccount team-a/db-migrator']);
  });
});

function args(p: { graph: import('../../server/src/core/reach').ReachGraph; subject: import('../../server/src/core/reach').Identity }) {
  return [p.graph, p.subject] as const;
}
