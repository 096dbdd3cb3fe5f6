import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accessMatrix, checkRoleAgainst, renderMatrix } from '../../server/src/core/inventory/myAccess';

const review = {
  resourceRules: [
    { apiGroups: [''], resources: ['configmaps', 'serviceaccounts'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] },
    { apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'], verbs: ['deletecollection'] },
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['bind', 'escalate'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
  ],
  nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/version'] }],
  incomplete: false,
};

test('rules become a resource x verb matrix with yes / some (resourceNames) / no', () => {
  const m = accessMatrix(review, 'team-a');
  const row = (g: string, r: string) => m.rows.find((x) => x.group === g && x.resource === r)!;
  assert.equal(row('', 'secrets').cells.create, 'yes');
  assert.equal(row('', 'secrets').cells.get, 'no');
  assert.equal(row('', 'secrets').cells.list, 'no');
  assert.deepEqual(Object.values(row('apps', 'deployments').cells), Array(8).fill('yes'));
  assert.deepEqual(row('apps', 'deployments').otherVerbs, ['*']);
  assert.equal(row('', 'configmaps').cells.deletecollection, 'some');
  assert.deepEqual(row('', 'configmaps').resourceNames, ['app-config']);
  assert.deepEqual(row('rbac.authorization.k8s.io', 'roles').otherVerbs, ['bind', 'escalate']);
  assert.equal(row('rbac.authorization.k8s.io', 'roles').cells.get, 'no');
  assert.deepEqual(m.nonResource, [{ url: '/healthz', verbs: ['get'] }, { url: '/version', verbs: ['get'] }]);
});

test('discovered resources add rows the rules do not name, and wildcards cover them', () => {
  const m = accessMatrix(
    { resourceRules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get'] }], nonResourceRules: [], incomplete: false },
    'team-a',
    [{ group: '', resource: 'pods' }, { group: 'batch', resource: 'jobs' }, { group: '', resource: 'pods/log' }],
  );
  assert.deepEqual(m.rows.map((r) => `${r.group}/${r.resource}:${r.cells.get}/${r.cells.list}`).sort(), ['*/*:yes/no', '/pods/log:yes/no', '/pods:yes/no', 'batch/jobs:yes/no']);
});

test('an incomplete review turns "no" into "unknown" and says so', () => {
  const m = accessMatrix({ ...review, incomplete: true, evaluationError: 'webhook authorizer' }, 'team-a');
  const secrets = m.rows.find((r) => r.resource === 'secrets')!;
  assert.equal(secrets.cells.create, 'yes');
  assert.equal(secrets.cells.get, 'unknown');
  const text = renderMatrix(m);
  assert.match(text, /incomplete: .*webhook authorizer/);
  const complete = accessMatrix(review, 'team-a');
  assert.equal(complete.rows.find((r) => r.resource === 'secrets')!.cells.get, 'no');
  assert.equal(complete.rows.find((r) => r.group === 'apps' && r.resource === 'deployments')!.cells.patch, 'yes');
});

test('the text matrix has one line per resource and a column per verb', () => {
  const text = renderMatrix(accessMatrix(review, 'team-a'));
  const lines = text.split('\n');
  assert.match(lines[0]!, /^NAME\s+GET\s+LIST\s+WATCH\s+CREATE\s+UPDATE\s+PATCH\s+DELETE\s+DELETECOLLECTION\s+OTHER$/);
  const secrets = lines.find((l) => l.startsWith('secrets '))!;
  // get list watch create update patch delete deletecollection
  assert.deepEqual(secrets.split(/\s+/).slice(1, 9), ['\u2716', '\u2716', '\u2716', '\u2714', '\u2716', '\u2716', '\u2714', '\u2716']);
  assert.ok(lines.some((l) => l.startsWith('deployments.apps ')));
});

test('checking a role against my rules reports the apiserver lines for what I lack', () => {
  const ok = checkRoleAgainst([{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }], review);
  assert.deepEqual(ok, { covered: true, missing: [], incomplete: false });
  const bad = checkRoleAgainst([{ apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get'] }], review);
  assert.equal(bad.covered, false);
  assert.deepEqual(bad.missing, ['{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}']);
});
