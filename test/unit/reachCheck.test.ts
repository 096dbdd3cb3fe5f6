/** The `reach` finding of `check`: over the files' own RBAC (offline) and over a cluster universe with the files in place. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineIndex } from '../../server/src/core/engine/text/lineIndex';
import { reachObjectOf, universeOfObjects, type Universe } from '../../server/src/core/reach';
import { overlay, reachFindingsOf } from '../../server/src/cli/checkReach';
import { objectsFromYaml, textAt } from './helpers/objects';

const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ci
  namespace: team-a
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["create"]
`;
const MIGRATOR = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: db-migrator
  namespace: team-a
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: db-migrator
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: secret-reader
subjects:
- kind: ServiceAccount
  name: db-migrator
  namespace: team-a
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secret-reader
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list"]
`;

function input(text: string) {
  return { text, objects: objectsFromYaml(text).flatMap((o) => reachObjectOf(o, 'default') ?? []), lineIndex: new LineIndex(text) };
}

describe('reach findings of check', () => {
  test('a Role that creates Deployments where a ServiceAccount reads every Secret: error on the rule, with the line', () => {
    const [role, other] = reachFindingsOf([input(ROLE), input(MIGRATOR)], {});
    assert.equal(role!.length, 1);
    const f = role![0]!;
    assert.equal(f.ruleId, 'reach');
    assert.equal(f.severity, 'error');
    assert.equal(f.message, 'lets whoever holds it become team-a/db-migrator, which can get/list secrets in every namespace: create deployments.apps in team-a, line 10; 1 more identity reachable (pipeline-rbac reach shows every path)');
    assert.match(textAt(ROLE, f.span), /^apiGroups: \["apps"\]/);
    // secret-reader's holder reaches nothing stronger than itself.
    assert.deepEqual(other, []);
  });
  test('the same Role alone (no stronger identity in the universe) has no finding', () => {
    assert.deepEqual(reachFindingsOf([input(ROLE)], {}), [[]]);
  });
  test('off turns it off; a suppression comment on the line before suppresses it', () => {
    assert.deepEqual(reachFindingsOf([input(ROLE), input(MIGRATOR)], { reach: 'off' }), [[], []]);
    const suppressed = ROLE.replace('- apiGroups: ["apps"]', '# pipeline-rbac-disable-next-line reach -- migrations run here\n- apiGroups: ["apps"]');
    assert.deepEqual(reachFindingsOf([input(suppressed), input(MIGRATOR)], {})[0], []);
  });
  test('--live: the cluster universe with the file\'s Role in place of the cluster\'s', () => {
    const live: Universe = {
      namespaces: ['team-a'],
      serviceAccounts: [{ namespace: 'team-a', name: 'db-migrator' }],
      tokenSecrets: [],
      roles: [{ kind: 'Role', namespace: 'team-a', name: 'ci', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] }, { kind: 'ClusterRole', name: 'cluster-admin', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] }],
      bindings: [{ kind: 'ClusterRoleBinding', name: 'm', roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', namespace: 'team-a', name: 'db-migrator' }] }],
      notVisible: [],
    };
    const [f] = reachFindingsOf([input(ROLE)], {}, live)[0]!;
    assert.equal(f!.severity, 'error');
    assert.match(f!.message, /^lets whoever holds it become team-a\/db-migrator, which is cluster-admin equivalent: create deployments.apps in team-a, line 10/);
    // The file's Role replaces the cluster's same-named one.
    const ci = overlay(live, universeOfObjects(input(ROLE).objects)).roles.filter((r) => r.name === 'ci');
    assert.deepEqual(ci.map((r) => r.rules.length), [2]);
  });
});
