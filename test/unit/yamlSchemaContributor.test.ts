// The Red Hat YAML contribution: which files get the RBAC schema (by kind, not by file name) and what the combined
// schema accepts, validated with ajv as a JSON-schema engine would.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { combinedSchema, CONTRIBUTOR, documentKinds, isRbacFile, makeContributor, RBAC_KINDS, SCHEMA_URI } from '../../client/src/yamlSchema/rbacSchema';

const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: team-a
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "patch"]
`;
const BINDING = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: deployer
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects: [{kind: ServiceAccount, name: ci, namespace: team-a}]
`;
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec: {}
`;

describe('selection by kind', () => {
  test('documentKinds reads the top-level kind of each document', () => {
    assert.deepEqual(documentKinds(`${ROLE}---\n${BINDING}--- # third\n# only a comment\n`), ['Role', 'RoleBinding', undefined]);
    assert.deepEqual(documentKinds('kind: "ServiceAccount" # quoted\n'), ['ServiceAccount']);
    assert.deepEqual(documentKinds('spec:\n  kind: Role\n'), [undefined]);
  });

  test('files of RBAC kinds only are claimed; mixed files, other kinds and empty files are left alone', () => {
    assert.equal(isRbacFile(ROLE), true);
    assert.equal(isRbacFile(`${ROLE}---\n${BINDING}`), true);
    assert.equal(isRbacFile(`${ROLE}---\n${DEPLOYMENT}`), false);
    assert.equal(isRbacFile(DEPLOYMENT), false);
    assert.equal(isRbacFile('name: not kubernetes\n'), false);
    assert.equal(isRbacFile(''), false);
  });

  test('the contributor answers with its own scheme for RBAC files, and serves the schema for that URI only', () => {
    const docs = new Map([
      ['file:///w/role.yaml', ROLE],
      ['file:///w/app.yaml', DEPLOYMENT],
    ]);
    const c = makeContributor((r) => docs.get(r));
    assert.equal(c.requestSchema('file:///w/role.yaml'), SCHEMA_URI);
    assert.equal(new URL(SCHEMA_URI).protocol, `${CONTRIBUTOR}:`, 'the YAML extension routes content requests by the URI scheme');
    assert.equal(c.requestSchema('file:///w/app.yaml'), undefined);
    assert.equal(c.requestSchema('file:///w/closed.yaml'), undefined);
    const content = c.requestSchemaContent(SCHEMA_URI);
    assert.ok(content);
    assert.deepEqual(JSON.parse(content), combinedSchema());
    assert.equal(c.requestSchemaContent('pipeline-rbac://schemas/other.json'), undefined);
  });
});

describe('the combined schema', () => {
  const validate = new Ajv({ strict: false, allErrors: true }).compile(combinedSchema());

  test('covers every RBAC kind and ServiceAccount', () => {
    assert.deepEqual([...RBAC_KINDS].sort(), ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount']);
  });

  test('accepts valid objects of each kind', () => {
    for (const text of [ROLE, BINDING, 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ci, namespace: team-a}\n']) {
      assert.equal(validate(parse(text)), true, JSON.stringify(validate.errors));
    }
  });

  test('rejects what the per-kind schema rejects', () => {
    const badField = parse(ROLE.replace('verbs:', 'verb:'));
    assert.equal(validate(badField), false);
    const badVersion = parse(ROLE.replace('rbac.authorization.k8s.io/v1', 'rbac.authorization.k8s.io/v1beta1'));
    assert.equal(validate(badVersion), false);
    const clusterRef = parse(BINDING.replace('kind: Role, name', 'kind: Secret, name'));
    assert.equal(validate(clusterRef), false);
  });

  test('constrains only the RBAC kinds', () => {
    assert.equal(validate(parse(DEPLOYMENT)), false, 'kind is enumerated, so a Deployment alone is not an RBAC document');
    const schema = combinedSchema() as { allOf: { if: { properties: { kind: { const: string } } } }[] };
    assert.deepEqual(
      schema.allOf.map((x) => x.if.properties.kind.const),
      RBAC_KINDS,
    );
  });
});
