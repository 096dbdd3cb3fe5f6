import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { identityManifests } from '../../server/src/core/lifecycle/manifests';
import { InvalidInputError } from '../../server/src/core/lifecycle/names';
import { ANNOTATIONS, IDENTITY_LABEL, OWNER_LABEL } from '../../server/src/core/lifecycle/types';

const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  labels: {team: a}
rules:
  - apiGroups: [apps]
    resources: [deployments]
    verbs: [get, list, patch]
  - apiGroups: [""]
    resources: [services]
    verbs: [get, create]
`;

type Doc = { kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: unknown };
const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Doc);

describe('identity manifests (Save as Manifests)', () => {
  test('ServiceAccount, Role and RoleBinding from a Role file', () => {
    const text = identityManifests({ namespace: 'team-a', name: 'ci-deploy', role: { kind: 'file', text: ROLE }, pipeline: { repo: 'acme/app', environment: 'prod' } });
    const [sa, role, rb] = docs(text);
    assert.equal(sa?.kind, 'ServiceAccount');
    assert.equal(sa?.metadata.name, 'ci-deploy');
    assert.equal(sa?.metadata.namespace, 'team-a');
    assert.equal(sa?.metadata.labels?.[IDENTITY_LABEL], 'true');
    assert.equal(sa?.metadata.annotations?.[ANNOTATIONS.pipeline], 'acme/app (environment prod)');
    assert.equal(sa?.automountServiceAccountToken, false);
    assert.equal(role?.kind, 'Role');
    assert.equal(role?.metadata.name, 'deployer');
    assert.equal(role?.metadata.namespace, 'team-a');
    assert.equal(role?.metadata.labels?.team, 'a', 'labels of the file are kept');
    assert.equal(role?.metadata.labels?.[OWNER_LABEL], 'ci-deploy');
    assert.deepEqual(role?.rules, [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'patch'] },
      { apiGroups: [''], resources: ['services'], verbs: ['get', 'create'] },
    ]);
    assert.equal(rb?.kind, 'RoleBinding');
    assert.deepEqual(rb?.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' });
    assert.deepEqual(rb?.subjects, [{ kind: 'ServiceAccount', name: 'ci-deploy', namespace: 'team-a' }]);
    assert.match(text, /^# Pipeline identity team-a\/ci-deploy/);
  });

  test('deterministic: no timestamps, same text twice, no token fields', () => {
    const input = { namespace: 'team-a', name: 'ci', role: { kind: 'file' as const, text: ROLE } };
    const a = identityManifests(input);
    assert.equal(a, identityManifests(input));
    assert.doesNotMatch(a, /created-at|token:|\d{4}-\d{2}-\d{2}T/);
  });

  test('an existing Role gives ServiceAccount and RoleBinding only, marked not owned', () => {
    const d = docs(identityManifests({ namespace: 'team-a', name: 'ci', role: { kind: 'existing', name: 'edit-apps' } }));
    assert.deepEqual(d.map((x) => x.kind), ['ServiceAccount', 'RoleBinding']);
    assert.equal(d[0]?.metadata.annotations?.[ANNOTATIONS.roleOwned], 'false');
    assert.equal((d[1]?.roleRef as { name: string }).name, 'edit-apps');
  });

  test('refuses Role files that are not exactly one Role for this namespace', () => {
    const two = `${ROLE}---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\n`;
    assert.throws(() => identityManifests({ namespace: 'team-a', name: 'ci', role: { kind: 'file', text: two } }), InvalidInputError);
    const cluster = ROLE.replace('kind: Role', 'kind: ClusterRole');
    assert.throws(() => identityManifests({ namespace: 'team-a', name: 'ci', role: { kind: 'file', text: cluster } }), /exactly one Role/);
    const otherNs = ROLE.replace('  name: deployer', '  name: deployer\n  namespace: team-b');
    assert.throws(() => identityManifests({ namespace: 'team-a', name: 'ci', role: { kind: 'file', text: otherNs } }), /namespace "team-b"/);
    assert.throws(() => identityManifests({ namespace: 'team-a', name: 'Bad_Name', role: { kind: 'file', text: ROLE } }), /ServiceAccount name/);
  });
});
