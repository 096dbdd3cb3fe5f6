/** The graph: fixed point with shortest paths, inbound reach, gains and their severity, aggregation, visibility. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aggregateRoles, computeReach, gainsSeverity, ReachGraph } from '../../server/src/core/reach';
import { clusterRole, clusterRoleBinding, pipeline, reachedKeys, role, roleBinding, rule, sa, saSubject, universe } from './helpers/reachUniverse';

const secretsEverywhere = clusterRole('read-secrets', rule(['get', 'list', 'watch'], [''], ['secrets']));

describe('paths', () => {
  // ci/p -> (create pods in team-a) -> team-a/hop -> (token of team-b/admin) -> team-b/admin; also a longer way.
  const spec = {
    sas: ['team-a/hop', 'team-b/admin', 'team-c/far'],
    roles: [
      role('team-b/tok', rule(['create'], [''], ['serviceaccounts/token'], ['admin'])),
      role('team-c/tok', rule(['create'], [''], ['serviceaccounts/token'], ['far'])),
      secretsEverywhere,
    ],
    bindings: [
      roleBinding('team-b/hop', { kind: 'Role', name: 'tok' }, saSubject('team-a/hop')),
      roleBinding('team-c/admin', { kind: 'Role', name: 'tok' }, saSubject('team-b/admin')),
      roleBinding('team-c/hop', { kind: 'Role', name: 'tok' }, saSubject('team-a/hop')),
      clusterRoleBinding('admin-secrets', { kind: 'ClusterRole', name: 'read-secrets' }, saSubject('team-b/admin')),
    ],
  };
  test('the fixed point follows steps through other identities, each by a shortest path', () => {
    const { graph, subject } = pipeline('ci/p', [], {
      ...spec,
      roles: [...spec.roles, role('team-a/pods', rule(['create'], [''], ['pods']))],
      bindings: [...spec.bindings, roleBinding('team-a/p', { kind: 'Role', name: 'pods' }, saSubject('ci/p'))],
    });
    const out = new Map(graph.outbound(subject).map((r) => [r.identity.kind === 'ServiceAccount' ? `${r.identity.namespace}/${r.identity.name}` : r.identity.kind, r.path]));
    assert.deepEqual([...out.keys()].sort(), ['team-a/hop', 'team-b/admin', 'team-c/far']);
    assert.deepEqual(out.get('team-b/admin')!.map((s) => s.action), ['create pods', 'create serviceaccounts/token admin']);
    // team-c/far is two steps from ci/p through hop, not three through admin.
    assert.equal(out.get('team-c/far')!.length, 2);
  });

  test('each step names the identity it reaches, also when one step reaches every account of a namespace', () => {
    const { graph, subject } = pipeline('ci/p', [], {
      ...spec,
      sas: ['team-a/aaa-first', ...spec.sas],
      roles: [...spec.roles, role('team-a/pods', rule(['create'], [''], ['pods']))],
      bindings: [...spec.bindings, roleBinding('team-a/p', { kind: 'Role', name: 'pods' }, saSubject('ci/p'))],
    });
    const admin = graph.outbound(subject).find((r) => r.identity.kind === 'ServiceAccount' && r.identity.name === 'admin')!;
    assert.deepEqual(admin.hops, [sa('team-a/hop'), sa('team-b/admin')]);
  });

  test('inbound: who can become team-b/admin, with the path from them', () => {
    const graph = new ReachGraph(universe({ ...spec, sas: [...spec.sas, 'ci/p'], roles: [...spec.roles, role('team-a/pods', rule(['create'], [''], ['pods']))], bindings: [...spec.bindings, roleBinding('team-a/p', { kind: 'Role', name: 'pods' }, saSubject('ci/p'))] }));
    const by = graph.inbound(sa('team-b/admin')).map((r) => [r.identity.kind === 'ServiceAccount' ? r.identity.name : r.identity.kind, r.path.map((s) => s.action)]);
    assert.deepEqual(by.sort(), [
      ['hop', ['create serviceaccounts/token admin']],
      ['p', ['create pods', 'create serviceaccounts/token admin']],
    ]);
  });

  test('a cycle ends at the fixed point', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['create'], [''], ['pods'])], { sas: ['team-a/other'] });
    assert.deepEqual(reachedKeys(graph, subject), ['ServiceAccount team-a/other']);
  });
});

describe('gains', () => {
  test('what the reached identity holds beyond the subject, worst first; cluster-wide secrets are an error', () => {
    const result = computeReach(
      universe({
        sas: ['team-a/ci', 'team-a/db-migrator'],
        roles: [role('team-a/ci', rule(['create'], ['apps'], ['deployments'])), secretsEverywhere],
        bindings: [roleBinding('team-a/ci', { kind: 'Role', name: 'ci' }, saSubject('team-a/ci')), clusterRoleBinding('m', { kind: 'ClusterRole', name: 'read-secrets' }, saSubject('team-a/db-migrator'))],
      }),
      sa('team-a/ci'),
    );
    assert.equal(result.identity, 'ServiceAccount team-a/ci');
    assert.equal(result.complete, true);
    assert.deepEqual(result.reaches, [
      {
        subject: 'ServiceAccount team-a/db-migrator',
        via: [{ step: 'create deployments.apps', namespace: 'team-a', rule: 'Role team-a/ci rules[0] {APIGroups:["apps"], Resources:["deployments"], Verbs:["create"]}', binding: 'RoleBinding team-a/ci' }],
        gains: ['get/list/watch secrets in every namespace'],
        proof: result.reaches[0]!.proof,
      },
    ]);
    assert.match(result.reaches[0]!.proof, /not checked/);
    assert.equal(gainsSeverity(result.reaches[0]!.gains), 'error');
    assert.deepEqual(result.reachableBy, []);
  });
  test('rights the subject holds already are no gain; a namespaced gain is a warning', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['create'], [''], ['pods']), rule(['get'], [''], ['configmaps'])], {
      sas: ['team-a/x'],
      roles: [role('team-a/x', rule(['get', 'delete'], [''], ['configmaps']))],
      bindings: [roleBinding('team-a/x', { kind: 'Role', name: 'x' }, saSubject('team-a/x'))],
    });
    const r = computeReach(graph.u.universe, subject).reaches;
    assert.deepEqual(r.map((x) => x.gains), [['delete configmaps in team-a']]);
    assert.equal(gainsSeverity(r[0]!.gains), 'warning');
  });
  test('* on * cluster-wide is said as cluster-admin equivalent', () => {
    const result = computeReach(
      universe({ sas: ['team-a/ci', 'kube-system/admin'], roles: [role('kube-system/t', rule(['create'], [''], ['serviceaccounts/token'])), clusterRole('cluster-admin', rule(['*'], ['*'], ['*']))], bindings: [roleBinding('kube-system/t', { kind: 'Role', name: 't' }, saSubject('team-a/ci')), clusterRoleBinding('a', { kind: 'ClusterRole', name: 'cluster-admin' }, saSubject('kube-system/admin'))] }),
      sa('team-a/ci'),
    );
    assert.deepEqual(result.reaches.map((r) => [r.subject, r.gains]), [['ServiceAccount kube-system/admin', ['cluster-admin equivalent']]]);
  });
});

describe('visibility', () => {
  test('what could not be read makes the result incomplete, and says what', () => {
    const result = computeReach(universe({ sas: ['a/b'], notVisible: ['clusterrolebindings: forbidden'] }), sa('a/b'));
    assert.equal(result.complete, false);
    assert.deepEqual(result.notVisible, ['clusterrolebindings: forbidden']);
  });
});

describe('aggregated ClusterRoles', () => {
  test('an aggregated ClusterRole holds the rules of the roles its selectors match, repeatedly', () => {
    const roles = aggregateRoles([
      { kind: 'ClusterRole', name: 'top', rules: [], aggregationSelectors: [{ matchLabels: { agg: 'top' } }] },
      { kind: 'ClusterRole', name: 'mid', rules: [], labels: { agg: 'top' }, aggregationSelectors: [{ matchExpressions: [{ key: 'agg', operator: 'In', values: ['mid'] }] }] },
      { kind: 'ClusterRole', name: 'leaf', rules: [rule(['create'], [''], ['serviceaccounts/token'])], labels: { agg: 'mid' } },
      { kind: 'ClusterRole', name: 'other', rules: [rule(['get'], [''], ['pods'])], labels: { agg: 'no' } },
    ]);
    assert.deepEqual(roles.find((r) => r.name === 'top')!.rules, [rule(['create'], [''], ['serviceaccounts/token'])]);
    const { graph, subject } = pipeline('ci/p', [], { sas: ['team-a/x'], roles, bindings: [roleBinding('team-a/p', { kind: 'ClusterRole', name: 'top' }, saSubject('ci/p'))] });
    assert.deepEqual(reachedKeys(graph, subject), ['ServiceAccount team-a/x']);
  });
});
