import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RbacObject, Span } from '../../server/src/core/engine/model';
import { parseRbacFile } from '../../server/src/core/engine/yaml/parse';

const slice = (text: string, s: Span | undefined): string => {
  assert.ok(s, 'span expected');
  return text.slice(s.start, s.end);
};

const ROLE = `# a comment
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: ci
  labels: {team: "platform", count: 3}
rules:
- apiGroups: [""]
  resources:
    - pods      # the pods
    - "pods/log"
  verbs: [get, 'list', watch]
- apiGroups: [apps]
  resources: [deployments]
  resourceNames: [web]
  verbs: ["patch"]
`;

test('a Role: every field and span is exact', () => {
  const r = parseRbacFile(ROLE);
  assert.deepEqual(r.findings, []);
  assert.equal(r.documentCount, 1);
  assert.equal(r.objects.length, 1);
  const o = r.objects[0]!;
  assert.equal(o.kind, 'Role');
  assert.equal(o.apiVersion, 'rbac.authorization.k8s.io/v1');
  assert.equal(o.name, 'deployer');
  assert.equal(o.namespace, 'ci');
  assert.deepEqual(o.labels, { team: 'platform' }, 'non-string label values are left to schema validation');
  assert.equal(slice(ROLE, o.kindSpan), 'Role');
  assert.equal(slice(ROLE, o.nameSpan), 'deployer');
  assert.equal(slice(ROLE, o.rulesKeySpan), 'rules');
  assert.ok(slice(ROLE, o.span).startsWith('apiVersion:'));
  assert.ok(slice(ROLE, o.span).endsWith('verbs: ["patch"]'));
  assert.equal(o.documentIndex, 0);

  assert.equal(o.rules.length, 2);
  const [r0, r1] = o.rules;
  assert.deepEqual(r0!.rule, { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] });
  assert.equal(r0!.index, 0);
  assert.ok(slice(ROLE, r0!.span).startsWith('apiGroups: [""]'));
  assert.ok(slice(ROLE, r0!.span).endsWith("watch]"));
  assert.deepEqual(r0!.fields.verbs!.items.map((s) => slice(ROLE, s)), ['get', "'list'", 'watch']);
  assert.deepEqual(r0!.fields.resources!.items.map((s) => slice(ROLE, s)), ['pods', '"pods/log"']);
  assert.equal(slice(ROLE, r0!.fields.resources!.keySpan), 'resources');
  assert.equal(slice(ROLE, r0!.fields.apiGroups!.span), '[""]');
  assert.deepEqual(r0!.fields.apiGroups!.items.map((s) => slice(ROLE, s)), ['""']);
  assert.equal(r0!.fields.resourceNames, undefined);
  assert.deepEqual(r1!.rule, { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['patch'] });
  assert.equal(slice(ROLE, r1!.fields.resourceNames!.items[0]), 'web');

  assert.equal(slice(ROLE, o.pointerSpans.get('/rules/0/verbs/2')), 'watch');
  assert.equal(slice(ROLE, o.pointerSpans.get('/metadata/labels/count')), '3');
  assert.equal(slice(ROLE, o.keySpans?.get('/metadata/labels/count')), 'count');
  assert.deepEqual(o.value, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'deployer', namespace: 'ci', labels: { team: 'platform', count: 3 } },
    rules: [
      { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['patch'] },
    ],
  });
});

test('bindings: roleRef and subjects with field spans; CRLF line ends keep offsets exact', () => {
  const text = [
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: ClusterRoleBinding',
    'metadata:',
    '  name: ci-bind',
    'roleRef:',
    '  apiGroup: rbac.authorization.k8s.io',
    '  kind: ClusterRole',
    '  name: édit-ü', // non-ASCII: offsets are UTF-16
    'subjects:',
    '- {kind: ServiceAccount, name: ci, namespace: pipelines}',
    '- kind: Group',
    '  name: "system:authenticated"',
    '  apiGroup: rbac.authorization.k8s.io',
    '',
  ].join('\r\n');
  const r = parseRbacFile(text);
  assert.deepEqual(r.findings, []);
  const o = r.objects[0]!;
  assert.equal(o.kind, 'ClusterRoleBinding');
  assert.equal(o.namespace, undefined);
  assert.deepEqual(
    { apiGroup: o.roleRef!.apiGroup, kind: o.roleRef!.kind, name: o.roleRef!.name },
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'édit-ü' },
  );
  assert.equal(slice(text, o.roleRef!.fieldSpans.name), 'édit-ü');
  assert.equal(slice(text, o.roleRef!.fieldSpans.kind), 'ClusterRole');
  assert.ok(slice(text, o.roleRef!.span).startsWith('apiGroup:'));
  assert.equal(o.subjects.length, 2);
  const [sa, group] = o.subjects;
  assert.deepEqual([sa!.kind, sa!.name, sa!.namespace, sa!.apiGroup], ['ServiceAccount', 'ci', 'pipelines', undefined]);
  assert.equal(slice(text, sa!.span), '{kind: ServiceAccount, name: ci, namespace: pipelines}');
  assert.equal(slice(text, sa!.fieldSpans.namespace), 'pipelines');
  assert.equal(slice(text, group!.fieldSpans.name), '"system:authenticated"');
  assert.equal(group!.name, 'system:authenticated');
  assert.equal(group!.apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(o.rules.length, 0);
});

test('multi-document files: other kinds and other groups are ignored, document indexes are kept', () => {
  const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ci, namespace: ci}
---
# only a comment
---
apiVersion: iam.example.com/v1
kind: Role
metadata: {name: not-rbac}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {a: b}
rules: []
...
`;
  const r = parseRbacFile(text);
  assert.deepEqual(r.findings, []);
  assert.equal(r.documentCount, 5);
  assert.deepEqual(r.objects.map((o) => [o.kind, o.name, o.documentIndex]), [
    ['ServiceAccount', 'ci', 1],
    ['ClusterRole', 'reader', 4],
  ]);
  const cr = r.objects[1]!;
  assert.equal(cr.aggregationRule!.selectorCount, 1);
  assert.ok(slice(text, cr.aggregationRule!.span).startsWith('clusterRoleSelectors:'));
  assert.equal(slice(text, cr.rulesKeySpan), 'rules');
});

test('kind: List items are objects of their own, with pointers relative to the item', () => {
  const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: x}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata: {name: one}
  rules:
  - {apiGroups: [""], resources: [secrets], verbs: [get]}
- apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: two}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: one}
  subjects: [{kind: User, name: alice}]
`;
  const r = parseRbacFile(text);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.objects.map((o) => [o.kind, o.name, o.documentIndex]), [
    ['Role', 'one', 0],
    ['RoleBinding', 'two', 0],
  ]);
  const role = r.objects[0]!;
  assert.ok(slice(text, role.span).startsWith('apiVersion: rbac.authorization.k8s.io/v1\n  kind: Role'));
  assert.equal(slice(text, role.pointerSpans.get('/rules/0/resources/0')), 'secrets');
  assert.equal(slice(text, role.pointerSpans.get('/kind')), 'Role');
  assert.equal(role.pointerSpans.has('/items'), false);
  assert.deepEqual((role.value as { metadata: unknown }).metadata, { name: 'one' });
  assert.equal(slice(text, r.objects[1]!.subjects[0]!.fieldSpans.name), 'alice');
});

test('syntax errors carry the yaml positions, and the other documents are still analysed', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ok}
rules: []
---
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: broken
 rules: x
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa, labels: {a: [1, 2}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: last}
`;
  const r = parseRbacFile(text);
  const errors = r.findings.filter((f) => f.severity === 'error');
  assert.ok(errors.length >= 2, JSON.stringify(r.findings));
  assert.ok(r.findings.every((f) => f.ruleId === 'yaml-syntax'));
  const byDoc = new Set(errors.map((f) => f.documentIndex));
  assert.ok(byDoc.has(1) && byDoc.has(2), 'errors are attributed to their documents');
  // The bad indentation is reported on the line that has it.
  const doc1 = errors.find((f) => f.documentIndex === 1)!;
  const line = text.slice(0, doc1.span.start).split('\n').length;
  assert.equal(line, 10, `reported on line ${line}: ${doc1.message}`);
  const doc2 = errors.find((f) => f.documentIndex === 2)!;
  assert.ok(doc2.span.start > text.indexOf('labels: {a: [1, 2}') - 1, 'the flow error is on the labels line or after');
  assert.ok(r.objects.some((o) => o.name === 'ok'));
  assert.ok(r.objects.some((o) => o.name === 'last'));
  assert.equal(r.documentCount, 4);
});

test('YAML 1.1 semantics as kubectl decodes them: merge keys, anchors, yes/no booleans', () => {
  const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: m}
rules:
- &base
  apiGroups: [""]
  resources: [pods]
  verbs: [get]
- <<: *base
  verbs: [list, on]
`;
  const r = parseRbacFile(text);
  assert.deepEqual(r.findings, []);
  const [a, b] = r.objects[0]!.rules;
  assert.deepEqual(a!.rule, { apiGroups: [''], resources: ['pods'], verbs: ['get'] });
  assert.deepEqual(b!.rule, { apiGroups: [''], resources: ['pods'], verbs: ['list', 'true'] });
  assert.deepEqual((r.objects[0]!.value as { rules: unknown[] }).rules[1], { apiGroups: [''], resources: ['pods'], verbs: ['list', true] });
  // Merged fields point at the alias they came from; own fields at themselves.
  assert.equal(slice(text, b!.fields.resources!.span), '*base');
  assert.equal(slice(text, b!.fields.verbs!.items[0]), 'list');
});

test('scalar-valued list fields are kept (schema validation reports the type)', () => {
  const text = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: s}\nrules:\n- verbs: "*"\n  apiGroups: [""]\n  resources: [pods, {x: 1}, 7]\n';
  const o = parseRbacFile(text).objects[0]!;
  assert.deepEqual(o.rules[0]!.rule.verbs, ['*']);
  assert.equal(slice(text, o.rules[0]!.fields.verbs!.items[0]), '"*"');
  assert.deepEqual(o.rules[0]!.rule.resources, ['pods', '7']);
  assert.deepEqual(o.rules[0]!.fields.resources!.items.map((s) => slice(text, s)), ['pods', '7']);
});

test('an object being typed (no apiVersion yet) is recognised; a Role of another group is not', () => {
  assert.equal(parseRbacFile('kind: ClusterRole\nmetadata: {name: x}\n').objects[0]?.kind, 'ClusterRole');
  assert.equal(parseRbacFile('kind: ServiceAccount\napiVersion: apps/v1\n').objects.length, 0);
  assert.equal(parseRbacFile('kind: Role\napiVersion: rbac.authorization.k8s.io/v1beta1\n').objects[0]?.apiVersion, 'rbac.authorization.k8s.io/v1beta1');
  assert.equal(parseRbacFile('').documentCount, 0);
  assert.equal(parseRbacFile('just a string').objects.length, 0);
});

function objectOf(text: string): RbacObject {
  const r = parseRbacFile(text);
  assert.equal(r.objects.length, 1, JSON.stringify(r.findings));
  return r.objects[0]!;
}

test('a key named __proto__ is data, not a prototype', () => {
  const o = objectOf('apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\n  labels: {__proto__: evil}\n');
  const labels = (o.value as { metadata: { labels: Record<string, unknown> } }).metadata.labels;
  assert.equal(Object.getPrototypeOf(labels), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value, 'evil');
});
