import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtinCatalog, catalogFindings, catalogFromDiscovery, type ApiCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import type { DiscoveryData } from '../../server/src/core/engine/catalog/catalogFile';
import type { Finding } from '../../server/src/core/engine/model';
import { editDistance, suggest } from '../../server/src/core/engine/text/suggest';
import { parseRbacFile } from '../../server/src/core/engine/yaml/parse';

const role = (rules: string): string => `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n${rules}\n`;

function run(text: string, catalog: ApiCatalog = builtinCatalog()): { at: string; f: Finding }[] {
  const r = parseRbacFile(text);
  assert.deepEqual(r.findings, []);
  return r.objects.flatMap((o) => catalogFindings(o, catalog)).map((f) => ({ at: text.slice(f.span.start, f.span.end), f }));
}

test('the built-in catalog is the one generated from a real apiserver', () => {
  const c = builtinCatalog();
  const file = JSON.parse(readFileSync(join(import.meta.dirname ?? __dirname, '../../schemas/api-catalog.json'), 'utf8')) as { kubernetesVersion: string };
  assert.match(file.kubernetesVersion, /^v1\.\d+\.\d+/);
  assert.equal(c.kubernetesVersion, file.kubernetesVersion);
  assert.equal(c.source, 'builtin');
  for (const g of ['', 'apps', 'batch', 'rbac.authorization.k8s.io', 'networking.k8s.io', 'certificates.k8s.io']) assert.ok(c.hasGroup(g), g);
  assert.equal(c.hasGroup('extensions'), false, 'extensions is no longer served');
  assert.equal(c.findResource('', 'pods')?.namespaced, true);
  assert.equal(c.findResource('', 'nodes')?.namespaced, false);
  assert.deepEqual(c.verbsOf('', 'pods/exec'), ['create', 'get']);
  assert.deepEqual(c.verbsOf('', 'pods/log'), ['get']);
  assert.deepEqual(c.verbsOf('', 'serviceaccounts/token'), ['create']);
  assert.ok(c.subresourcesOf('apps', 'deployments').includes('scale'));
  assert.equal(c.findResource('apps', 'pods'), undefined);
  assert.deepEqual(c.groupsOfResource('deployments'), ['apps']);
  assert.equal(c.resourceForKind('apps', 'Deployment'), 'deployments');
  assert.equal(c.resourceForKind('batch', 'CronJob'), 'cronjobs');
  assert.ok(c.resourcesOf('').includes('secrets'));
  assert.ok(!c.resourcesOf('').includes('pods/exec'));
  assert.ok(c.nonResourceURLs.includes('/healthz'));
  // Authorization-only verbs and resources.
  assert.ok(c.verbsOf('rbac.authorization.k8s.io', 'clusterroles')!.includes('escalate'));
  assert.ok(c.verbsOf('rbac.authorization.k8s.io', 'roles')!.includes('bind'));
  assert.deepEqual(c.verbsOf('', 'users'), ['impersonate']);
  assert.deepEqual(c.verbsOf('certificates.k8s.io', 'signers'), ['approve', 'attest', 'sign']);
  assert.ok(c.findResource('authentication.k8s.io', 'userextras/scopes'));
  assert.ok(c.findResource('', 'nodes/stats'));
});

const DISCOVERY: DiscoveryData = {
  groups: [
    { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
    {
      name: 'monitoring.coreos.com',
      versions: [
        { groupVersion: 'monitoring.coreos.com/v1', version: 'v1' },
        { groupVersion: 'monitoring.coreos.com/v1alpha1', version: 'v1alpha1' },
      ],
    },
  ],
  resourceLists: [
    {
      groupVersion: 'v1',
      resources: [
        { name: 'pods', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'create'] },
        { name: 'pods/log', namespaced: true, kind: 'Pod', verbs: ['get'] },
        { name: 'nodes', namespaced: false, kind: 'Node', verbs: ['get'] },
      ],
    },
    { groupVersion: 'apps/v1', resources: [{ name: 'deployments', namespaced: true, kind: 'Deployment', verbs: ['get', 'patch'] }] },
    { groupVersion: 'monitoring.coreos.com/v1', resources: [{ name: 'servicemonitors', namespaced: true, kind: 'ServiceMonitor', verbs: ['get'] }] },
    { groupVersion: 'monitoring.coreos.com/v1alpha1', resources: [{ name: 'servicemonitors', namespaced: true, kind: 'ServiceMonitor', verbs: ['list'] }, { name: 'alertmanagerconfigs', namespaced: true, kind: 'AlertmanagerConfig', verbs: ['get'] }] },
  ],
  kubernetesVersion: 'v1.36.0',
  paths: ['/api', '/api/v1', '/apis', '/apis/apps', '/healthz', '/healthz/etcd', '/version'],
};

test('catalogFromDiscovery: groups, versions merged, subresources, paths', () => {
  const c = catalogFromDiscovery(DISCOVERY);
  assert.equal(c.source, 'discovery');
  assert.equal(c.kubernetesVersion, 'v1.36.0');
  assert.deepEqual(c.groupNames(), ['', 'apps', 'monitoring.coreos.com']);
  assert.deepEqual(c.verbsOf('monitoring.coreos.com', 'servicemonitors'), ['get', 'list'], 'verbs are the union over versions');
  assert.deepEqual(c.resourcesOf('monitoring.coreos.com'), ['alertmanagerconfigs', 'servicemonitors']);
  assert.deepEqual(c.subresourcesOf('', 'pods'), ['log']);
  assert.deepEqual(c.nonResourceURLs, ['/api', '/apis', '/healthz', '/healthz/etcd', '/version']);
  assert.equal(c.findResource('', 'users')?.verbs[0], 'impersonate', 'virtual resources are added to discovery too');
  assert.equal(c.hasGroup('certificates.k8s.io'), false, 'but not groups the cluster does not serve');
  // Without root paths the built-in non-resource URLs are used; malformed input does not throw.
  assert.deepEqual(catalogFromDiscovery({ groups: [], resourceLists: [] }).nonResourceURLs, builtinCatalog().nonResourceURLs);
  assert.deepEqual(catalogFromDiscovery({ groups: [null as never], resourceLists: [{ groupVersion: 'v1', resources: [null as never] }] }).groupNames(), ['']);
});

test('unknown-api-group: typos, versions in the group, core spelled out, CRD groups offline', () => {
  const res = run(role(`- apiGroups: [app, "apps/v1", core, "monitoring.coreos.com", "*"]\n  resources: [deployments]\n  verbs: [get]`));
  const by = (v: string) => res.find((r) => r.f.data?.value === v)!;
  assert.equal(by('app').at, 'app');
  assert.equal(by('app').f.severity, 'warning');
  assert.match(by('app').f.message, /Did you mean "apps"\?/);
  assert.deepEqual(by('app').f.data?.replacement, ['apps']);
  assert.match(by('apps/v1').f.message, /includes a version.*"apps"/);
  assert.deepEqual(by('apps/v1').f.data?.replacement, ['apps']);
  assert.deepEqual(by('core').f.data?.replacement, ['']);
  assert.equal(by('monitoring.coreos.com').f.severity, 'information');
  assert.match(by('monitoring.coreos.com').f.message, /CRD/);
  assert.equal(res.filter((r) => r.f.ruleId === 'unknown-api-group').length, 4, 'the wildcard is never unknown');
  // Against live discovery, the CRD group is known and a missing one is a warning.
  const live = run(role(`- apiGroups: ["monitoring.coreos.com", "example.com"]\n  resources: [servicemonitors]\n  verbs: [get]`), catalogFromDiscovery(DISCOVERY));
  assert.deepEqual(live.map((r) => [r.f.ruleId, r.at, r.f.severity]), [['unknown-api-group', '"example.com"', 'warning']]);
  assert.match(live[0]!.f.message, /not served by the cluster/);
});

test('a wrong group for a known resource says where the resource lives', () => {
  const res = run(role(`- apiGroups: [extensions]\n  resources: [deployments]\n  verbs: [get]\n- apiGroups: [""]\n  resources: [deployments]\n  verbs: [get]`));
  assert.match(res[0]!.f.message, /deployments is in API group "apps"/);
  assert.deepEqual(res[0]!.f.data?.replacement, ['apps']);
  const core = res.find((r) => r.f.ruleId === 'unknown-resource')!;
  assert.equal(core.at, 'deployments');
  assert.match(core.f.message, /does not exist in the core API group.*served by API group "apps"/);
});

test('unknown-resource: typos, kinds instead of resources, unknown subresources, wildcards never', () => {
  const text = role(`- apiGroups: ["", apps]\n  resources: [pods, deploymens, Secret, pods/exc, "pods/*", deployments/scale, "*", "*/scale", ConfigMap]\n  verbs: [get]`);
  const res = run(text).filter((r) => r.f.ruleId === 'unknown-resource');
  assert.deepEqual(res.map((r) => r.at), ['deploymens', 'Secret', 'pods/exc', '"pods/*"', 'ConfigMap']);
  assert.deepEqual(res[0]!.f.data?.replacement, ['deployments']);
  assert.match(res[0]!.f.message, /Resource "deploymens" does not exist in the core API group \(""\) or API group "apps". Did you mean "deployments"\?/);
  assert.deepEqual(res[1]!.f.data?.replacement, ['secrets']);
  assert.deepEqual(res[2]!.f.data?.replacement, ['pods/exec']);
  assert.match(res[2]!.f.message, /Subresource "exc" does not exist on pods/);
  assert.match(res[3]!.f.message, /"pods\/\*" is not a wildcard/, 'pods/* is not a wildcard form');
  assert.ok(res[3]!.f.data?.replacement?.includes('pods/exec'));
  assert.deepEqual(res[4]!.f.data?.replacement, ['configmaps']);
  // A kind of another group: the resource and its group are named.
  const ingress = run(role(`- apiGroups: [""]\n  resources: [Ingress]\n  verbs: [get]`))[0]!;
  assert.match(ingress.f.message, /Ingress is a kind; its resource is "ingresses" in API group "networking.k8s.io"/);
  assert.deepEqual(ingress.f.data?.replacement, ['ingresses']);
  assert.ok(res.every((r) => r.f.severity === 'warning'));
});

test('resources are not checked against unknown (possibly CRD) groups; under "*" an unknown name is information', () => {
  assert.deepEqual(run(role(`- apiGroups: ["example.com"]\n  resources: [widgets]\n  verbs: [get, frobnicate]`)).map((r) => r.f.ruleId), ['unknown-api-group']);
  const star = run(role(`- apiGroups: ["*"]\n  resources: [widgets, pods]\n  verbs: [get]`));
  assert.deepEqual(star.map((r) => [r.f.ruleId, r.at, r.f.severity]), [['unknown-resource', 'widgets', 'information']]);
});

test('unknown-verb: typos and verbs no listed resource supports; special verbs are fine', () => {
  const text = role(`- apiGroups: [""]\n  resources: [pods/log]\n  verbs: [get, lst, create, GET]\n- apiGroups: [rbac.authorization.k8s.io]\n  resources: [clusterroles]\n  verbs: [bind, escalate, get]\n- apiGroups: [""]\n  resources: [users, groups]\n  verbs: [impersonate]\n- apiGroups: [""]\n  resources: [pods/exec]\n  verbs: [create, get]\n- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: [get, delet]`);
  const res = run(text);
  assert.deepEqual(res.map((r) => [r.f.ruleId, r.at, r.f.data?.ruleIndex]), [
    ['unknown-verb', 'lst', 0],
    ['unknown-verb', 'create', 0],
    ['unknown-verb', 'GET', 0],
    ['unknown-verb', 'delet', 4],
  ]);
  assert.match(res[0]!.f.message, /Verb "lst" is not a Kubernetes verb \(for pods\/log\).*Did you mean "list"\?/);
  assert.match(res[1]!.f.message, /Verb "create" is not supported by pods\/log; it grants nothing/);
  assert.deepEqual(res[2]!.f.data?.replacement, ['get']);
  assert.deepEqual(res[3]!.f.data?.replacement, ['delete']);
});

test('Roles without resources, non-resource rules and bindings give no catalog findings', () => {
  const text = `${role(`- nonResourceURLs: ["/healthz"]\n  verbs: [get]\n- apiGroups: [""]\n  verbs: [get]`)}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b}\nroleRef: {kind: Role, name: x}\n`;
  assert.deepEqual(run(text), []);
});

test('suggestions: edit distance with transpositions, case and length limits', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('lsit', 'list'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.deepEqual(suggest('lsit', ['list', 'watch', 'get']), ['list']);
  assert.deepEqual(suggest('Pods', ['pods', 'nodes']), ['pods', 'nodes'].slice(0, 1));
  assert.deepEqual(suggest('xyz', ['pods']), []);
  assert.deepEqual(suggest('ab', ['cd']), [], 'short words need a close match');
  assert.deepEqual(suggest('deployment', ['deployments', 'statefulsets']), ['deployments']);
});
