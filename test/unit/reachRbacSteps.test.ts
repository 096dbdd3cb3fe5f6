/** Reach through the authorization system: impersonation, bind, escalate, CSR approval, admission, aws-auth. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReachGraph } from '../../server/src/core/reach';
import { clusterRole, clusterRoleBinding, pipeline, reachedKeys, role, roleBinding, rule, saSubject, universe } from './helpers/reachUniverse';

const RBAC = 'rbac.authorization.k8s.io';
const TEAM_A = ['team-a/db-migrator', 'team-a/default'];

function cluster(rules: ReturnType<typeof rule>[], extra: Parameters<typeof pipeline>[2] = {}) {
  return pipeline('ci/p', [], {
    ...extra,
    roles: [clusterRole('p-cluster', ...rules), ...(extra.roles ?? [])],
    bindings: [clusterRoleBinding('p-cluster', { kind: 'ClusterRole', name: 'p-cluster' }, saSubject('ci/p')), ...(extra.bindings ?? [])],
  });
}

describe('impersonate', () => {
  test('serviceaccounts in a namespace, resourceNames respected', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['impersonate'], [''], ['serviceaccounts'], ['db-migrator'])], { sas: TEAM_A });
    assert.deepEqual(reachedKeys(graph, subject), ['ServiceAccount team-a/db-migrator']);
  });
  test('users named by bindings; groups only together with a user; system:masters is cluster-admin equivalent', () => {
    const extra = { roles: [clusterRole('view', rule(['get'], [''], ['configmaps']))], bindings: [clusterRoleBinding('alice', { kind: 'ClusterRole', name: 'view' }, { kind: 'User', name: 'alice' }, { kind: 'Group', name: 'ops' })] };
    assert.deepEqual(reachedKeys(...pair(cluster([rule(['impersonate'], [''], ['groups'])], extra))), []);
    const both = cluster([rule(['impersonate'], [''], ['groups']), rule(['impersonate'], [''], ['users'], ['nobody'])], extra);
    assert.deepEqual(reachedKeys(both.graph, both.subject), ['Group ops', 'cluster-admin equivalent']);
    const users = cluster([rule(['impersonate'], [''], ['users'])], extra);
    assert.deepEqual(reachedKeys(users.graph, users.subject), ['User alice']);
  });
  test('impersonate in a Role cannot impersonate users (cluster-scoped)', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['impersonate'], [''], ['users', 'groups'])], { sas: TEAM_A, bindings: [clusterRoleBinding('x', { kind: 'ClusterRole', name: 'none' }, { kind: 'User', name: 'alice' })] });
    assert.deepEqual(reachedKeys(graph, subject), []);
  });
});

describe('bind and escalate', () => {
  const admin = clusterRole('admin', rule(['*'], ['*'], ['*']));
  test('bind on clusterroles admin + create rolebindings in team-a: holder of admin in team-a', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['bind'], [RBAC], ['clusterroles'], ['admin']), rule(['create'], [RBAC], ['rolebindings'])], { sas: TEAM_A, roles: [admin] });
    const keys = reachedKeys(graph, subject);
    assert.ok(keys.includes('holder of ClusterRole admin in team-a'), keys.join());
    // admin in team-a creates pods there: every account of team-a follows.
    assert.ok(keys.includes('ServiceAccount team-a/db-migrator'));
    const r = graph.outbound(subject).find((x) => x.identity.kind === 'ServiceAccount' && x.identity.name === 'db-migrator')!;
    assert.equal(r.path.length, 2);
  });
  test('create rolebindings without bind gains nothing (the escalation check needs the role\'s rights)', () => {
    assert.deepEqual(reachedKeys(...pair(pipeline('team-a/ci', [rule(['create'], [RBAC], ['rolebindings'])], { sas: ['team-a/default'], roles: [admin] }))), []);
  });
  test('escalate + update of its own Role: any permission in the namespace', () => {
    const { graph, subject } = pipeline('team-a/ci', [rule(['escalate', 'update'], [RBAC], ['roles'], ['ci-role'])]);
    assert.deepEqual(reachedKeys(graph, subject), ['any permission in namespace team-a']);
  });
  test('escalate without a write, or on another Role, does nothing', () => {
    assert.deepEqual(reachedKeys(...pair(pipeline('team-a/ci', [rule(['escalate'], [RBAC], ['roles'])]))), []);
    assert.deepEqual(reachedKeys(...pair(pipeline('team-a/ci', [rule(['escalate', 'update'], [RBAC], ['roles'], ['other'])]))), []);
  });
  test('escalate + update of a ClusterRole bound cluster-wide: cluster-admin equivalent', () => {
    const { graph, subject } = cluster([rule(['escalate', 'patch'], [RBAC], ['clusterroles'], ['p-cluster'])]);
    assert.deepEqual(reachedKeys(graph, subject), ['cluster-admin equivalent']);
  });
});

describe('certificates, admission, aws-auth', () => {
  const csr = [
    rule(['create', 'get'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    rule(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/approval']),
    rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client']),
  ];
  const extra = { sas: TEAM_A, bindings: [clusterRoleBinding('m', { kind: 'ClusterRole', name: 'x' }, { kind: 'Group', name: 'system:masters' }, { kind: 'User', name: 'bob' })] };
  test('create + approve on the kube-apiserver-client signer: any user, group or account but system:masters', () => {
    const { graph, subject } = cluster(csr, extra);
    assert.deepEqual(reachedKeys(graph, subject), ['ServiceAccount team-a/db-migrator', 'ServiceAccount team-a/default', 'User bob']);
  });
  test('kubernetes.io/* approves too; another signer, or no approval update, does not', () => {
    assert.equal(reachedKeys(...pair(cluster([csr[0]!, csr[1]!, rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/*'])], extra))).length, 3);
    assert.deepEqual(reachedKeys(...pair(cluster([csr[0]!, csr[1]!, rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kubelet-serving'])], extra))), []);
    assert.deepEqual(reachedKeys(...pair(cluster([csr[0]!, csr[2]!], extra))), []);
  });
  test('webhook configurations are cluster-admin equivalent; a mutating policy needs its binding too', () => {
    assert.deepEqual(reachedKeys(...pair(cluster([rule(['create'], ['admissionregistration.k8s.io'], ['mutatingwebhookconfigurations'])]))), ['cluster-admin equivalent']);
    assert.deepEqual(reachedKeys(...pair(cluster([rule(['create'], ['admissionregistration.k8s.io'], ['mutatingadmissionpolicies'])]))), []);
    assert.deepEqual(reachedKeys(...pair(cluster([rule(['create'], ['admissionregistration.k8s.io'], ['mutatingadmissionpolicies', 'mutatingadmissionpolicybindings'])]))), ['cluster-admin equivalent']);
  });
  test('aws-auth: patch of kube-system/aws-auth, not of another ConfigMap', () => {
    const p = (names: string[]) => pipeline('ci/p', [], { roles: [role('kube-system/cm', rule(['patch'], [''], ['configmaps'], names))], bindings: [roleBinding('kube-system/cm', { kind: 'Role', name: 'cm' }, saSubject('ci/p'))] });
    assert.deepEqual(reachedKeys(...pair(p(['aws-auth']))), ['cluster-admin equivalent']);
    assert.deepEqual(reachedKeys(...pair(p(['coredns']))), []);
  });
});

describe('RoleHolder subject', () => {
  test('whoever would hold a Role not yet bound', () => {
    const u = universe({ sas: TEAM_A, roles: [role('team-a/new', rule(['create'], ['batch'], ['jobs']))] });
    const graph = new ReachGraph(u);
    assert.deepEqual(reachedKeys(graph, { kind: 'RoleHolder', roleKind: 'Role', name: 'new', namespace: 'team-a' }), ['ServiceAccount team-a/db-migrator', 'ServiceAccount team-a/default']);
  });
});

function pair(p: ReturnType<typeof pipeline>) {
  return [p.graph, p.subject] as const;
}
