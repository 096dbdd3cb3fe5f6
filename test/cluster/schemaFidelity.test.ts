// Structural validation against the real apiserver: for each sample object, the engine's verdict ("has a schema
// error") must equal the apiserver's answer to a server-side dry-run create with strict field validation (what
// kubectl apply sends by default). The admin user is in system:masters, so only validation is tested here.
import assert from 'node:assert/strict';
import { request, type RequestOptions } from 'node:https';
import { test } from 'node:test';
import { validateObject } from '../../server/src/core/engine/schema/validate';
import { parseRbacFile } from '../../server/src/core/engine/yaml/parse';
import type { RbacObject } from '../../server/src/core/engine/model';
import { TEAM_A, kubeConfigFor } from './harness';

const RBAC = 'apiVersion: rbac.authorization.k8s.io/v1';
const role = (rules: string, extra = '') => `${RBAC}\nkind: Role\nmetadata: {name: fid-role${extra}}\nrules:\n${rules}\n`;
const crole = (rules: string, extra = '') => `${RBAC}\nkind: ClusterRole\nmetadata: {name: fid-crole${extra}}\nrules:\n${rules}\n`;
const rb = (body: string) => `${RBAC}\nkind: RoleBinding\nmetadata: {name: fid-rb}\n${body}\n`;
const crb = (body: string) => `${RBAC}\nkind: ClusterRoleBinding\nmetadata: {name: fid-crb}\n${body}\n`;
const REF = 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}';

const CASES: Record<string, string> = {
  'valid role': role('- {apiGroups: ["", apps], resources: [pods, deployments/scale], verbs: [get, patch]}'),
  'resourceNames with several resources': role('- {apiGroups: [""], resources: [configmaps, secrets], resourceNames: [a], verbs: [get]}'),
  'rules: null': `${RBAC}\nkind: Role\nmetadata: {name: fid-role}\nrules: null\n`,
  'creationTimestamp: null, labels, annotations': role('- {apiGroups: [""], resources: [pods], verbs: [get]}').replace('{name: fid-role}', '{name: fid-role, creationTimestamp: null, labels: {app.kubernetes.io/name: x}, annotations: {a: "b c"}}'),
  'generateName instead of name': `${RBAC}\nkind: Role\nmetadata: {generateName: fid-gen-}\nrules: []\n`,
  'verbs missing': role('- {apiGroups: [""], resources: [pods]}'),
  'verbs empty': role('- {apiGroups: [""], resources: [pods], verbs: []}'),
  'verbs a string': role('- {apiGroups: [""], resources: [pods], verbs: get}'),
  'verbs with a number': role('- {apiGroups: [""], resources: [pods], verbs: [7]}'),
  'apiGroups missing': role('- {resources: [pods], verbs: [get]}'),
  'apiGroups empty': role('- {apiGroups: [], resources: [pods], verbs: [get]}'),
  'resources missing': role('- {apiGroups: [""], verbs: [get]}'),
  'nonResourceURLs in a Role': role('- {nonResourceURLs: ["/healthz"], verbs: [get]}'),
  'nonResourceURLs in a ClusterRole': crole('- {nonResourceURLs: ["/healthz", "/metrics/*"], verbs: [get]}'),
  'nonResourceURLs with resources': crole('- {nonResourceURLs: ["/healthz"], resources: [pods], verbs: [get]}'),
  'nonResourceURLs with apiGroups only': crole('- {nonResourceURLs: ["/healthz"], apiGroups: [""], verbs: [get]}'),
  'unknown field in a rule': role('- {apiGroups: [""], resource: [pods], resources: [pods], verbs: [get]}'),
  'unknown top-level field': role('- {apiGroups: [""], resources: [pods], verbs: [get]}') + 'spec: {}\n',
  'unknown metadata field': role('- {apiGroups: [""], resources: [pods], verbs: [get]}').replace('{name: fid-role}', '{name: fid-role, color: red}'),
  'name with a slash': role('- {apiGroups: [""], resources: [pods], verbs: [get]}').replace('fid-role', 'fid/role'),
  'name with a colon (allowed for RBAC)': crole('- {apiGroups: [""], resources: [pods], verbs: [get]}').replace('fid-crole', '"fid:crole"'),
  'bad label value': role('- {apiGroups: [""], resources: [pods], verbs: [get]}').replace('{name: fid-role}', '{name: fid-role, labels: {a: "b c"}}'),
  'bad label key': role('- {apiGroups: [""], resources: [pods], verbs: [get]}').replace('{name: fid-role}', '{name: fid-role, labels: {"a b": c}}'),
  'namespace on a ClusterRole': crole('- {apiGroups: [""], resources: [pods], verbs: [get]}').replace('{name: fid-crole}', '{name: fid-crole, namespace: team-a}'),
  'aggregationRule with selectors': crole('[]').replace('rules:\n[]', 'aggregationRule: {clusterRoleSelectors: [{matchLabels: {fid: "yes"}}]}\nrules: []'),
  'aggregationRule without selectors': crole('[]').replace('rules:\n[]', 'aggregationRule: {clusterRoleSelectors: []}\nrules: []'),
  'aggregationRule with a bad operator': crole('[]').replace('rules:\n[]', 'aggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: a, operator: Equals}]}]}\nrules: []'),
  'apiVersion v1beta1': role('- {apiGroups: [""], resources: [pods], verbs: [get]}').replace('/v1\n', '/v1beta1\n'),
  'binding: valid': rb(`${REF}\nsubjects: [{kind: ServiceAccount, name: ci}, {kind: User, name: alice}, {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}]`),
  'binding: roleRef without apiGroup (defaulted)': rb('roleRef: {kind: ClusterRole, name: view}'),
  'binding: roleRef missing': rb('subjects: []'),
  'binding: roleRef name missing': rb('roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole}'),
  'binding: roleRef kind wrong': rb('roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Group, name: view}'),
  'binding: roleRef apiGroup wrong': rb('roleRef: {apiGroup: rbac, kind: ClusterRole, name: view}'),
  'binding: roleRef unknown field': rb('roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view, namespace: x}'),
  'binding: subject kind wrong': rb(`${REF}\nsubjects: [{kind: serviceaccount, name: ci}]`),
  'binding: subject name empty': rb(`${REF}\nsubjects: [{kind: User, name: ""}]`),
  'binding: SA subject with apiGroup': rb(`${REF}\nsubjects: [{kind: ServiceAccount, name: ci, apiGroup: rbac.authorization.k8s.io}]`),
  'binding: SA subject bad name': rb(`${REF}\nsubjects: [{kind: ServiceAccount, name: Not_Valid}]`),
  'binding: User subject wrong apiGroup': rb(`${REF}\nsubjects: [{kind: User, name: alice, apiGroup: v1}]`),
  'cluster binding: valid': crb(`${REF}\nsubjects: [{kind: ServiceAccount, name: ci, namespace: team-a}]`),
  'cluster binding: SA subject without namespace': crb(`${REF}\nsubjects: [{kind: ServiceAccount, name: ci}]`),
  'cluster binding: roleRef to a Role': crb('roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: view}'),
  'service account: valid': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: fid.sa}\nautomountServiceAccountToken: false\nimagePullSecrets: [{name: reg}]\n',
  'service account: bad name': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: Fid_SA}\n',
  'service account: unknown field': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: fid-sa}\nautomount: false\n',
  'service account: wrong type': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: fid-sa}\nautomountServiceAccountToken: "no"\n',
};

const PATHS: Record<RbacObject['kind'], (ns: string) => string> = {
  Role: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
  RoleBinding: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
  ClusterRole: () => '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  ClusterRoleBinding: () => '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  ServiceAccount: (ns) => `/api/v1/namespaces/${ns}/serviceaccounts`,
};

/** Dry-run create as admin; resolves to the HTTP status and the Status message. */
async function dryRunCreate(obj: RbacObject): Promise<{ code: number; message: string }> {
  const kc = kubeConfigFor('admin');
  const server = new URL(kc.getCurrentCluster()!.server);
  const path = `${PATHS[obj.kind](TEAM_A)}?dryRun=All&fieldValidation=Strict`;
  const body = JSON.stringify(obj.value);
  const opts: RequestOptions = {
    method: 'POST',
    hostname: server.hostname,
    port: server.port,
    path,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body) },
  };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let message = '';
        try {
          message = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message?: unknown }).message ?? '');
        } catch {
          message = Buffer.concat(chunks).toString('utf8').slice(0, 300);
        }
        resolve({ code: res.statusCode ?? 0, message });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('schema findings agree with the apiserver on every sample object', async () => {
  const rows: string[] = [];
  let accepted = 0;
  let rejected = 0;
  const mismatches: string[] = [];
  for (const [name, text] of Object.entries(CASES)) {
    const parsed = parseRbacFile(text);
    assert.deepEqual(parsed.findings, [], `${name}: YAML parses`);
    assert.equal(parsed.objects.length, 1, name);
    const obj = parsed.objects[0]!;
    const errors = validateObject(obj).filter((f) => f.severity === 'error');
    const answer = await dryRunCreate(obj);
    const apiserverRejects = answer.code >= 400;
    assert.ok(answer.code < 500, `${name}: ${answer.code} ${answer.message}`);
    if (apiserverRejects) rejected++;
    else accepted++;
    rows.push(`${apiserverRejects ? 'rejects' : 'accepts'}  engine ${errors.length ? 'error' : 'ok   '}  ${name}`);
    if (apiserverRejects !== errors.length > 0) {
      mismatches.push(`${name}: apiserver ${answer.code} ${answer.message} | engine: ${errors.map((e) => e.message).join('; ') || 'no error'}`);
    }
  }
  console.log(rows.join('\n'));
  console.log(`${Object.keys(CASES).length} cases: apiserver accepted ${accepted}, rejected ${rejected}; mismatches ${mismatches.length}`);
  assert.ok(accepted >= 10 && rejected >= 20, 'the samples cover both outcomes');
  assert.deepEqual(mismatches, []);
});
