// What each deploy tool needs (deployer/needs.ts), the missing-permission rule, its quick fix (the engine runs again on
// the edited text and finds nothing missing), and the least-privilege generator including the deployer's needs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeText } from '../../server/src/core/engine/analyze';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import { deployerNeeds } from '../../server/src/core/engine/deployer/needs';
import { addMissingRulesFix } from '../../server/src/core/engine/fixes/addRulesFix';
import { leastPrivilegeRules } from '../../server/src/core/engine/leastPrivilege/generate';
import { manifestFindings } from '../../server/src/core/engine/leastPrivilege/manifestFindings';
import { manifestKinds, neededPermissions, type NeededPermissions } from '../../server/src/core/engine/leastPrivilege/needed';
import type { Deployer } from '../../server/src/core/engine/deployer/needs';
import { quickFixes } from '../../server/src/core/engine/fixes/quickFixes';
import { DEFAULT_DEPLOY_VERBS } from '../../server/src/core/shared/settings';

const catalog = builtinCatalog();
const resolve = (g: string, k: string) => catalog.resourceForKind(g, k);

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
`;

const ROLE_BLOCK = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: team-a
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "create", "patch"]
  - apiGroups: [""]
    resources: ["services"]
    verbs: ["get", "create", "patch"]
`;

function needed(manifests: string, deployer: Deployer, verbs = DEFAULT_DEPLOY_VERBS): NeededPermissions {
  return neededPermissions(manifestKinds(manifests, 'deploy/app.yaml'), resolve, verbs, deployer);
}

function analyze(text: string, n: NeededPermissions) {
  return analyzeText(text, { catalog, extraFindings: (objects) => objects.flatMap((o) => manifestFindings(o, n)) });
}

function applyFix(text: string, edits: { span: { start: number; end: number }; newText: string }[]): string {
  return [...edits].sort((a, b) => b.span.start - a.span.start).reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), text);
}

describe('deployer needs (from the tools\' sources)', () => {
  const objects = manifestKinds(APP, 'deploy/app.yaml');
  const verbsOn = (d: Deployer, resource: string) => [...new Set(deployerNeeds(objects, d, resolve).filter((n) => n.resource === resource).map((n) => n.verb))].sort();

  it('kubectl apply: get, create, patch on each object', () => {
    assert.deepEqual(verbsOn('kubectl', 'deployments'), ['create', 'get', 'patch']);
    assert.deepEqual(verbsOn('kubectl', 'secrets'), []);
  });
  it('server-side apply: create and patch', () => {
    assert.deepEqual(verbsOn('server-side-apply', 'horizontalpodautoscalers'), ['create', 'patch']);
  });
  it('helm: get, create, patch, delete per object; release Secrets get, list, create, update, delete', () => {
    assert.deepEqual(verbsOn('helm', 'services'), ['create', 'delete', 'get', 'patch']);
    assert.deepEqual(verbsOn('helm', 'secrets'), ['create', 'delete', 'get', 'list', 'update']);
  });
  it('an RBAC manifest needs what it grants, unless the pipeline may escalate', () => {
    const chartRole = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: app-reader}
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "watch"]
`;
    const n = needed(chartRole, 'kubectl');
    const role = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer}
rules:
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles"]
  verbs: ["get", "create", "patch"]
`;
    const f = analyze(role, n).findings.filter((x) => x.ruleId === 'missing-permission');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /^`kubectl apply` will fail on Role app-reader \(deploy\/app\.yaml\): get, watch configmaps \(the apiserver lets the pipeline create Role app-reader only if it holds every permission the Role grants/);
    const escalate = role.replace('verbs: ["get", "create", "patch"]', 'verbs: ["get", "create", "patch", "escalate"]');
    assert.deepEqual(analyze(escalate, n).findings.filter((x) => x.ruleId === 'missing-permission'), []);
  });
});

describe('missing-permission', () => {
  it('names the tool, the object and each missing verb and resource', () => {
    const r = analyze(ROLE_BLOCK, needed(APP, 'helm'));
    const msgs = r.findings.filter((f) => f.ruleId === 'missing-permission').map((f) => f.message);
    assert.ok(msgs.includes('`helm upgrade` will fail on HorizontalPodAutoscaler web (deploy/app.yaml): get, create, patch, delete horizontalpodautoscalers.autoscaling'), msgs.join('\n'));
    assert.ok(msgs.includes('`helm upgrade` will fail on Deployment web (deploy/app.yaml): delete deployments.apps'), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.startsWith('`helm upgrade` will fail on its release records (Secrets in the release namespace): get, list, create, update, delete secrets')));
    assert.ok(r.findings.filter((f) => f.ruleId === 'missing-permission').every((f) => f.severity === 'error'));
  });

  it('a cluster-scoped object: a Role cannot grant it, said so, and no quick fix adds it to the Role', () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: web-prod}\n';
    const n = neededPermissions(manifestKinds(ns, 'deploy/ns.yaml'), resolve, DEFAULT_DEPLOY_VERBS, 'kubectl', (g, r) => catalog.findResource(g, r)?.namespaced);
    const r = analyze(ROLE_BLOCK, n);
    const f = r.findings.filter((x) => x.ruleId === 'missing-permission');
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /^`kubectl apply` will fail on Namespace web-prod \(deploy\/ns\.yaml\): get, patch namespaces named "web-prod"; create namespaces \(cluster-scoped: a Role cannot grant it/);
    assert.equal(addMissingRulesFix(ROLE_BLOCK, f[0]!, r.objects[0]), undefined);
  });

  it('is quiet when the Role grants what kubectl apply needs', () => {
    const n = needed(APP.split('---')[0]! + '---' + APP.split('---')[1]!, 'kubectl');
    assert.deepEqual(analyze(ROLE_BLOCK, n).findings.filter((f) => f.ruleId === 'missing-permission'), []);
  });

  for (const [name, text] of [
    ['block rules with flow lists', ROLE_BLOCK],
    [
      'block rules with block lists',
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
rules:
- apiGroups:
  - apps
  resources:
  - deployments
  verbs:
  - get
`,
    ],
    ['flow rules', `{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: deployer}, rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]}\n`],
  ] as const) {
    it(`quick fix adds exactly the missing rules (${name}); the engine re-run finds nothing missing`, () => {
      const n = needed(APP, 'helm');
      const r = analyze(text, n);
      const missing = r.findings.filter((f) => f.ruleId === 'missing-permission');
      assert.ok(missing.length > 0);
      let edited: string = text;
      // Apply each object's fix in turn, re-analysing, as a user clicking them one by one would.
      for (let i = 0; i < 10; i++) {
        const again = analyze(edited, n);
        const f = again.findings.find((x) => x.ruleId === 'missing-permission');
        if (!f) break;
        const fix = addMissingRulesFix(edited, f, again.objects[0]);
        assert.ok(fix, 'a fix is offered');
        assert.ok(quickFixes(edited, f, again.objects[0]).some((q) => q.title === fix.title));
        edited = applyFix(edited, fix.edits);
      }
      const after = analyze(edited, n);
      assert.deepEqual(after.findings.filter((x) => x.ruleId === 'missing-permission' || x.ruleId === 'yaml-syntax' || x.ruleId === 'schema'), []);
      // Nothing was removed: every line of the original is still there, in order.
      if (name !== 'flow rules') {
        const lines = edited.split('\n');
        let at = 0;
        for (const l of text.split('\n')) {
          at = lines.indexOf(l, at);
          assert.ok(at >= 0, `kept: ${l}`);
        }
      }
      if (name === 'block rules with block lists') assert.match(edited, /\n- apiGroups:\n  - autoscaling\n  resources:\n  - horizontalpodautoscalers\n  verbs:\n  - get\n  - create/);
      if (name === 'block rules with flow lists') assert.match(edited, /\n  - apiGroups: \["autoscaling"\]\n    resources: \["horizontalpodautoscalers"\]\n    verbs: \["get", "create", "patch", "delete"\]/);
    });
  }
});

describe('least privilege includes the deployer\'s needs', () => {
  it('helm: release Secrets with exactly the verbs helm uses; deployed kinds with the deploy verbs', () => {
    const rules = leastPrivilegeRules(needed(APP, 'helm', ['get', 'create', 'patch', 'delete']));
    assert.deepEqual(rules, [
      { apiGroups: [''], resources: ['services'], verbs: ['get', 'create', 'patch', 'delete'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'update', 'delete'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'create', 'patch', 'delete'] },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'create', 'patch', 'delete'] },
    ]);
  });
  it('a Role with exactly the generated rules has neither missing nor unused permissions', () => {
    const n = needed(APP, 'helm', ['get', 'create', 'patch', 'delete']);
    const rules = leastPrivilegeRules(n);
    const text = `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: exact}\nrules:\n${rules.map((r) => `- apiGroups: ${JSON.stringify(r.apiGroups)}\n  resources: ${JSON.stringify(r.resources)}\n  verbs: ${JSON.stringify(r.verbs)}\n`).join('')}`;
    assert.deepEqual(analyze(text, n).findings.filter((f) => f.ruleId === 'missing-permission' || f.ruleId === 'unused-permission'), []);
  });
});

describe('verify report', () => {
  it('shows control characters from names and apiserver text as escapes', async () => {
    const { formatVerify, verifyExitCode } = await import('../../server/src/core/verify/report');
    const r = {
      identity: 'system:serviceaccount:team-a:ci',
      expiresAt: '2026-01-01T00:10:00.000Z',
      objects: [{ kind: 'ConfigMap', name: 'x\u001b[2Jy', source: 'a.yaml', outcome: 'forbidden' as const, message: 'no\n::error::injected' }],
      needs: [],
    };
    const text = formatVerify(r, '`kubectl apply`');
    assert.ok(!text.includes('\u001b') && !text.includes('\n::error::'), text);
    assert.match(text, /x\\e\[2Jy/);
    assert.equal(verifyExitCode(r), 1);
  });
});
