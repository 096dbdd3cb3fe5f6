import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { leastPrivilegeRoleYaml, leastPrivilegeRules } from '../../server/src/core/engine/leastPrivilege/generate';
import { guessResource, manifestKinds, neededPermissions } from '../../server/src/core/engine/leastPrivilege/needed';
import { unusedPermissionFindings } from '../../server/src/core/engine/leastPrivilege/unused';
import { parseRbacFile } from '../../server/src/core/engine/yaml/parse';

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team-a}
---
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
---
apiVersion: v1
kind: List
items:
  - apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: web}
`;

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const resolve = (group: string, kind: string) => (group === '' && kind === 'Endpoints' ? 'endpoints' : undefined);

describe('least privilege from manifests', () => {
  it('reads every kind, including List items, and the namespaces named', () => {
    const kinds = manifestKinds(APP, 'deploy/app.yaml');
    assert.deepEqual(kinds.map((k) => k.kind), ['Deployment', 'Service', 'Ingress', 'HorizontalPodAutoscaler']);
    const needed = neededPermissions(kinds, resolve, VERBS);
    assert.deepEqual([...needed.resources.keys()].sort(), ['/services', 'apps/deployments', 'autoscaling/horizontalpodautoscalers', 'networking.k8s.io/ingresses']);
    assert.deepEqual(needed.namespaces, ['team-a']);
  });

  it('pluralises unknown kinds the way Kubernetes guesses, and prefers the catalog', () => {
    assert.equal(guessResource('NetworkPolicy'), 'networkpolicies');
    assert.equal(guessResource('Ingress'), 'ingresses');
    assert.equal(guessResource('ConfigMap'), 'configmaps');
    const needed = neededPermissions([{ apiVersion: 'v1', kind: 'Endpoints', source: 'x' }], resolve, ['get']);
    assert.ok(needed.resources.has('/endpoints'));
  });

  it('broken YAML documents are skipped, the others still count', () => {
    const kinds = manifestKinds('kind: [\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', 'x.yaml');
    assert.deepEqual(kinds.map((k) => k.kind), ['ConfigMap']);
  });

  it('generates a Role whose rules are exactly the needed resources, grouped by API group', () => {
    const needed = neededPermissions(manifestKinds(APP, 'a.yaml'), resolve, VERBS);
    const rules = leastPrivilegeRules(needed);
    assert.deepEqual(rules.map((r) => r.apiGroups), [[''], ['apps'], ['autoscaling'], ['networking.k8s.io']]);
    const yaml = leastPrivilegeRoleYaml(needed, 'deployer', 'team-a');
    const role = parse(yaml) as { kind: string; metadata: { name: string; namespace: string }; rules: unknown[] };
    assert.equal(role.kind, 'Role');
    assert.deepEqual(role.metadata, { name: 'deployer', namespace: 'team-a' });
    assert.deepEqual(role.rules, rules, 'the YAML round-trips to the same rules');
    // The generated Role itself has no unused permissions.
    const obj = parseRbacFile(yaml).objects[0]!;
    assert.deepEqual(unusedPermissionFindings(obj, needed), []);
  });

  it('flags resources and verbs no manifest needs, and wildcards with their replacement', () => {
    const needed = neededPermissions(manifestKinds(APP, 'a.yaml'), resolve, ['get', 'create']);
    const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ci, namespace: team-a}
rules:
  - apiGroups: ["apps"]
    resources: ["deployments", "statefulsets"]
    verbs: ["get", "create", "delete"]
  - apiGroups: [""]
    resources: ["*"]
    verbs: ["*"]
`;
    const obj = parseRbacFile(text).objects[0]!;
    const findings = unusedPermissionFindings(obj, needed);
    const texts = findings.map((f) => text.slice(f.span.start, f.span.end));
    assert.deepEqual(texts, ['"statefulsets"', '"delete"', '"*"', '"*"']);
    assert.ok(findings.every((f) => f.ruleId === 'unused-permission' && f.severity === 'information'));
    assert.deepEqual(findings[2]!.data?.replacement, ['services'], 'core resources the manifests need');
    assert.deepEqual(findings[3]!.data?.replacement, ['get', 'create']);
  });

  it('leaves rules narrowed by resourceNames alone', () => {
    const needed = neededPermissions([], resolve, ['get']);
    const obj = parseRbacFile('kind: Role\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: r}\nrules:\n  - apiGroups: [""]\n    resources: [configmaps]\n    resourceNames: [lock]\n    verbs: [update]\n').objects[0]!;
    assert.deepEqual(unusedPermissionFindings(obj, needed), []);
  });
});
