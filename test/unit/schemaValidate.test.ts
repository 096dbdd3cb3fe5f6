import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Finding } from '../../server/src/core/engine/model';
import { SCHEMA_FILES, SCHEMAS } from '../../server/src/core/engine/schema/definitions';
import { displayPath, validateObject } from '../../server/src/core/engine/schema/validate';
import { parseRbacFile } from '../../server/src/core/engine/yaml/parse';

/** Validates every object of `text`; returns [sliced span, message] pairs. */
function check(text: string): { at: string; message: string; f: Finding }[] {
  const r = parseRbacFile(text);
  assert.deepEqual(r.findings, [], 'the YAML itself is valid');
  return r.objects.flatMap((o) => validateObject(o)).map((f) => ({ at: text.slice(f.span.start, f.span.end), message: f.message, f }));
}

function find(results: ReturnType<typeof check>, needle: string) {
  const hit = results.find((r) => r.message.includes(needle));
  assert.ok(hit, `no finding with "${needle}" in:\n${results.map((r) => r.message).join('\n')}`);
  assert.equal(hit.f.ruleId, 'schema');
  return hit;
}

test('valid objects of every kind give no findings', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: ci, labels: {app.kubernetes.io/name: x}, creationTimestamp: null}
rules:
- apiGroups: ["", apps]
  resources: [pods, deployments, deployments/scale]
  resourceNames: [web]
  verbs: [get, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:metrics"}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {a: b}}, {matchExpressions: [{key: k, operator: In, values: [v]}]}]
rules:
- nonResourceURLs: ["/metrics", "/healthz/*"]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: ci}
roleRef: {kind: ClusterRole, name: edit}
subjects:
- {kind: ServiceAccount, name: ci}
- {kind: User, name: alice}
- {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: c}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: ci, namespace: ci}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ci.pipeline, namespace: ci}
automountServiceAccountToken: false
imagePullSecrets: [{name: reg}]
`;
  assert.deepEqual(check(text).map((r) => r.message), []);
});

test('type errors name the field and sit on the value', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r}
rules:
- apiGroups: [""]
  resources: [pods, {x: 1}]
  verbs: get
`;
  const res = check(text);
  const verbs = find(res, 'rules[0].verbs: must be a list of strings');
  assert.equal(verbs.at, 'get');
  assert.match(verbs.message, /not the string "get".*\[get\]/);
  const item = find(res, 'rules[0].resources[1]: must be a string, not a mapping');
  assert.equal(item.at, '{x: 1}');
});

test('missing fields are reported on the parent key, or on the first key of a list item', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  namespace: ci
roleRef:
  kind: Role
subjects:
- namespace: ci
  kind: ServiceAccount
`;
  const res = check(text);
  assert.equal(find(res, 'roleRef.name: required field is missing').at, 'roleRef');
  assert.equal(find(res, 'metadata.name: required field is missing').at, 'metadata');
  assert.equal(find(res, 'subjects[0].name: required field is missing').at, 'namespace');
  const noKind = check('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n');
  assert.equal(find(noKind, 'metadata: required field is missing').at, 'Role');
});

test('rules: verbs required and non-empty, apiGroups/resources required for resource rules (validation.go)', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
rules:
- resources: [pods]
- verbs: []
  apiGroups: [""]
  resources: [pods]
- verbs: [get]
  apiGroups: []
- nonResourceURLs: ["/healthz"]
  resources: [pods]
  verbs: [get]
`;
  const res = check(text);
  const missingVerbs = find(res, 'rules[0].verbs: required field is missing');
  assert.equal(missingVerbs.at, 'resources');
  assert.equal(find(res, 'rules[1].verbs: must contain at least one value').at, '[]');
  assert.equal(find(res, 'rules[0].apiGroups: resource rules must supply at least one API group').at, 'resources');
  assert.equal(find(res, 'rules[2].apiGroups: resource rules must supply').at, 'apiGroups');
  assert.equal(find(res, 'rules[2].resources: resource rules must supply at least one resource').at, 'verbs');
  const mixed = find(res, 'rules[3]: a rule cannot apply to both regular resources (resources) and non-resource URLs');
  assert.equal(mixed.at, 'nonResourceURLs');
  assert.equal(mixed.f.data?.ruleIndex, 3);
  // A ClusterRole may have non-resource URLs; a valid non-resource rule needs no apiGroups.
  assert.ok(!res.some((r) => r.message.startsWith('rules[3].apiGroups')));
  assert.equal(res.length, 6, res.map((r) => r.message).join('\n'));
});

test('a namespaced Role cannot have nonResourceURLs', () => {
  const res = check('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- nonResourceURLs: ["/metrics"]\n  verbs: [get]\n');
  const f = find(res, 'rules[0].nonResourceURLs: a Role is namespaced and cannot grant non-resource URLs');
  assert.equal(f.at, 'nonResourceURLs');
  assert.equal(f.f.severity, 'error');
});

test('unknown fields: the key is marked, with a did-you-mean', () => {
  const res = check('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: [""]\n  resource: [pods]\n  verbs: [get]\nspec: {}\n');
  const f = find(res, 'rules[0].resource: unknown field');
  assert.equal(f.at, 'resource');
  assert.match(f.message, /Did you mean "resources"\?/);
  assert.deepEqual(f.f.data?.replacement, ['resources']);
  assert.equal(find(res, 'spec: unknown field').at, 'spec');
});

test('roleRef and subjects: enums, kinds, apiGroups and ServiceAccount namespaces', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b, namespace: ignored}
roleRef: {apiGroup: rbac, kind: Role, name: x}
subjects:
- {kind: ServiceAccount, name: ci}
- {kind: serviceaccount, name: ci, namespace: ci}
- {kind: ServiceAccount, name: Not_Valid, namespace: ci, apiGroup: v1}
- {kind: User, name: alice, apiGroup: v1}
`;
  const res = check(text);
  const kind = find(res, 'roleRef.kind: must be "ClusterRole", not the string "Role"');
  assert.equal(kind.at, 'Role');
  assert.match(kind.message, /use a RoleBinding/);
  assert.equal(find(res, 'roleRef.apiGroup: must be one of').at, 'rbac');
  assert.equal(find(res, 'subjects[0].namespace: required for a ServiceAccount subject of a ClusterRoleBinding').at, 'kind');
  const sa = find(res, 'subjects[1].kind: must be one of "User", "Group", "ServiceAccount"');
  assert.equal(sa.at, 'serviceaccount');
  assert.deepEqual(sa.f.data?.replacement, ['ServiceAccount']);
  assert.equal(find(res, 'subjects[2].name: "Not_Valid" is not a valid ServiceAccount name').at, 'Not_Valid');
  assert.equal(find(res, 'subjects[2].apiGroup: must be empty for a ServiceAccount subject').at, 'v1');
  assert.equal(find(res, 'subjects[3].apiGroup: must be "rbac.authorization.k8s.io" for a User subject').at, 'v1');
  const ns = find(res, 'metadata.namespace: ignored');
  assert.equal(ns.at, 'ignored');
  assert.equal(ns.f.severity, 'information');
  // In a RoleBinding the ServiceAccount namespace defaults to the binding's.
  const rb = check('apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b}\nroleRef: {kind: Role, name: x}\nsubjects: [{kind: ServiceAccount, name: ci}]\n');
  assert.deepEqual(rb.map((r) => r.message), []);
});

test('names, label keys and values, apiVersion', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1beta1
kind: Role
metadata:
  name: ".."
  namespace: Not_A_Label
  labels: {"a b": x, ok: "not ok"}
`;
  const res = check(text);
  assert.match(find(res, 'apiVersion: must be "rbac.authorization.k8s.io/v1"').message, /removed in Kubernetes 1\.22/);
  assert.equal(find(res, 'metadata.name: ".." is not valid').at, '".."');
  assert.equal(find(res, 'metadata.namespace: "Not_A_Label" is not valid').at, 'Not_A_Label');
  assert.equal(find(res, 'metadata.labels: key "a b" is not valid').at, '"a b"');
  assert.equal(find(res, 'metadata.labels.ok: "not ok" is not valid').at, '"not ok"');
});

test('schema paths are relative to a List item, spans point into the item', () => {
  const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: Role\n  metadata: {name: r}\n  rules: [{apiGroups: [""], resources: [pods], verbs: [7]}]\n';
  const res = check(text);
  const f = find(res, 'rules[0].verbs[0]: must be a string, not the number 7');
  assert.equal(f.at, '7');
});

test('generateName satisfies the name requirement', () => {
  assert.deepEqual(check('apiVersion: v1\nkind: ServiceAccount\nmetadata: {generateName: ci-}\n').map((r) => r.message), []);
});

test('displayPath formats JSON pointers like field paths', () => {
  assert.equal(displayPath('/rules/0/verbs/1'), 'rules[0].verbs[1]');
  assert.equal(displayPath('/metadata/labels/app.kubernetes.io~1name'), 'metadata.labels["app.kubernetes.io/name"]');
});

test('schemas/*.schema.json are exactly what definitions.ts generates (run scripts/gen-schemas.ts)', () => {
  for (const [kind, file] of Object.entries(SCHEMA_FILES)) {
    const onDisk = JSON.parse(readFileSync(join(import.meta.dirname ?? __dirname, '../../schemas', file), 'utf8')) as unknown;
    assert.deepEqual(onDisk, SCHEMAS[kind as keyof typeof SCHEMAS], file);
  }
});

test('validation is fast enough for the editor: 2,000 rules in one object', () => {
  const rules = Array.from({ length: 2000 }, (_, i) => `- {apiGroups: [""], resources: [pods, r${i}], verbs: [get, list]}`).join('\n');
  const text = `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: big}\nrules:\n${rules}\n`;
  const obj = parseRbacFile(text).objects[0]!;
  validateObject(obj); // warm up the compiled validator
  const start = process.cpuUsage();
  const findings = validateObject(obj);
  const d = process.cpuUsage(start);
  const ms = (d.user + d.system) / 1000;
  assert.deepEqual(findings, []);
  console.log(`validateObject on 2,000 rules: ${ms.toFixed(1)} ms CPU`);
  assert.ok(ms < 2000, `${ms} ms CPU: quadratic in the number of rules?`);
});

test('the validators compiled ahead of time are those of the schemas in schemas/ (scripts/gen-validators.mjs --check)', () => {
  const r = spawnSync(process.execPath, [join(__dirname, '../../scripts/gen-validators.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
