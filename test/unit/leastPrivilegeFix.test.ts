import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { analyzeText, type AnalysisResult } from '../../server/src/core/engine/analyze';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import { leastPrivilegeFix, roleWithRulesAt, sameGrants } from '../../server/src/core/engine/fixes/leastPrivilegeFix';
import { quickFixes } from '../../server/src/core/engine/fixes/quickFixes';
import type { SpanEdit } from '../../server/src/core/engine/fixes/textEdit';
import { leastPrivilegeRules } from '../../server/src/core/engine/leastPrivilege/generate';
import { manifestKinds, neededPermissions, type NeededPermissions } from '../../server/src/core/engine/leastPrivilege/needed';
import { unusedPermissionFindings } from '../../server/src/core/engine/leastPrivilege/unused';
import type { RbacObject } from '../../server/src/core/engine/model';
import { ParseCache } from '../../server/src/core/engine/yaml/parseCache';
import { DEFAULT_DEPLOY_VERBS } from '../../server/src/core/shared/settings';

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
`;

const catalog = builtinCatalog();
const neededFor = (verbs: string[]): NeededPermissions =>
  neededPermissions(manifestKinds(MANIFESTS, 'deploy/app.yaml'), (g, k) => catalog.resourceForKind(g, k), verbs);
const NEEDED = neededFor(DEFAULT_DEPLOY_VERBS);
const VERBS = '["get", "list", "watch", "create", "update", "patch", "delete"]';

/** A ServiceAccount, then the too-broad Role (with comments in and around it), then a second Role left untouched. */
const FILE = `# CI access for team-a
apiVersion: v1
kind: ServiceAccount
metadata: {name: ci, namespace: team-a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer   # used by the pipeline
  namespace: team-a
rules:
  # everything in apps
  - apiGroups: ["apps"]
    resources: ["*"]
    verbs: ["*"]
  - apiGroups: [""]
    resources: ["services", "secrets"]
    verbs: ["get", "create", "escalate"]
# after the rules
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: other, namespace: team-a}
rules:
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["create"]
`;

function apply(text: string, edits: SpanEdit[]): string {
  return [...edits].sort((a, b) => b.span.start - a.span.start).reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), text);
}

function analyze(text: string, needed: NeededPermissions, parseCache?: ParseCache): AnalysisResult {
  return analyzeText(text, { catalog, extraFindings: (objects) => objects.flatMap((o) => unusedPermissionFindings(o, needed)), ...(parseCache ? { parseCache } : {}) });
}

function role(result: AnalysisResult, name: string): RbacObject {
  return result.objects.find((o) => o.name === name)!;
}

function unusedIn(result: AnalysisResult, obj: RbacObject) {
  return result.findings.filter((f) => f.ruleId === 'unused-permission' && f.span.start >= obj.span.start && f.span.end <= obj.span.end);
}

/** Fixes `name` in `text`, checks the engine's verdict on the result, returns the new text. */
function fixAndCheck(text: string, name: string, needed = NEEDED): string {
  const before = analyze(text, needed);
  const fix = leastPrivilegeFix(text, role(before, name), needed);
  assert.ok(fix, 'the fix is offered');
  assert.equal(fix.edits.length, 1);
  const out = apply(text, fix.edits);
  const after = analyze(out, needed);
  const fixed = role(after, name);
  assert.deepEqual(unusedIn(after, fixed), [], 'no unused-permission left in the fixed Role');
  assert.deepEqual(after.findings.filter((f) => f.ruleId === 'yaml-syntax' || f.ruleId === 'schema'), [], 'still parses and validates cleanly');
  assert.deepEqual(fixed.rules.map((r) => r.rule), leastPrivilegeRules(needed), 'the rules are exactly the generated ones');
  assert.equal(leastPrivilegeFix(out, fixed, needed), undefined, 'not offered again once applied');
  return out;
}

describe('least-privilege rules fix', () => {
  it('replaces exactly the rules block of that Role, in its indentation, and leaves no unused permission', () => {
    const out = fixAndCheck(FILE, 'deployer');
    const start = FILE.indexOf('  # everything in apps\n') + '  # everything in apps\n  '.length;
    const end = FILE.indexOf('\n# after the rules');
    assert.equal(out.slice(0, start), FILE.slice(0, start), 'everything before the first rule is byte-identical');
    assert.equal(out.slice(out.indexOf('\n# after the rules')), FILE.slice(end), 'everything after the last rule is byte-identical');
    assert.equal(
      out.slice(start, out.indexOf('\n# after the rules')),
      `- apiGroups: [""]\n    resources: ["configmaps", "services"]\n    verbs: ${VERBS}\n  - apiGroups: ["apps"]\n    resources: ["deployments"]\n    verbs: ${VERBS}`,
    );
    // The other Role in the file keeps its findings.
    const after = analyze(out, NEEDED);
    assert.deepEqual(unusedIn(after, role(after, 'other')).map((f) => out.slice(f.span.start, f.span.end)), ['"jobs"']);
  });

  it('titles the fix with the number of rules', () => {
    const result = analyze(FILE, NEEDED);
    assert.equal(leastPrivilegeFix(FILE, role(result, 'deployer'), NEEDED)?.title, 'Replace rules with the least privilege for the manifests (2 rules)');
    const one = neededPermissions([{ apiVersion: 'v1', kind: 'Service', source: 'x' }], () => undefined, ['get']);
    assert.equal(leastPrivilegeFix(FILE, role(result, 'deployer'), one)?.title, 'Replace rules with the least privilege for the manifests (1 rule)');
  });

  it('keeps dashes at the key\'s column when the file writes them so', () => {
    const out = fixAndCheck(FILE, 'other');
    assert.ok(out.endsWith(`rules:\n- apiGroups: [""]\n  resources: ["configmaps", "services"]\n  verbs: ${VERBS}\n- apiGroups: ["apps"]\n  resources: ["deployments"]\n  verbs: ${VERBS}\n`), out);
  });

  it('uses the configured deploy verbs', () => {
    const needed = neededFor(['get', 'create', 'patch']);
    const out = fixAndCheck(FILE, 'deployer', needed);
    assert.match(out, /resources: \["deployments"\]\n    verbs: \["get", "create", "patch"\]\n# after the rules/);
  });

  it('turns `rules: []` and an empty `rules:` into a block sequence under the key', () => {
    const empty = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules: []   # nothing yet\n';
    const out = fixAndCheck(empty, 'r');
    assert.ok(out.startsWith('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n  - apiGroups: [""]\n    resources: ["configmaps", "services"]\n'), out);
    assert.ok(out.endsWith(`    verbs: ${VERBS}   # nothing yet\n`), out);
    fixAndCheck('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n---\nkind: ServiceAccount\napiVersion: v1\nmetadata: {name: sa}\n', 'r');
  });

  it('writes a flow sequence inside a flow mapping, and rewrites a Role inside a kind: List', () => {
    fixAndCheck('{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: r}, rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]}\n', 'r');
    const list = `apiVersion: v1
kind: List
items:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: c}
    rules:
      - apiGroups: ["*"]
        resources: ["*"]
        verbs: ["*"]
`;
    assert.match(fixAndCheck(list, 'c'), /\n    rules:\n      - apiGroups: \[""\]\n        resources: \["configmaps", "services"\]\n/);
  });

  it('keeps CRLF line endings', () => {
    const out = fixAndCheck(FILE.replace(/\n/g, '\r\n'), 'deployer');
    assert.equal(out.replace(/\r\n/g, '').includes('\n'), false);
  });

  it('edits the same span when the language server\'s incremental parse built the Role', () => {
    const many = Array.from({ length: 40 }, (_, i) => `  - apiGroups: [""]\n    resources: ["pods${i}"]\n    verbs: ["get"]\n`).join('');
    const text = `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: big}\nrules:\n${many}`;
    const cached = analyze(text, NEEDED, new ParseCache());
    const plain = analyze(text, NEEDED);
    assert.deepEqual(leastPrivilegeFix(text, role(cached, 'big'), NEEDED)?.edits, leastPrivilegeFix(text, role(plain, 'big'), NEEDED)?.edits);
    fixAndCheck(text, 'big');
  });

  it('is not offered without needs, for aggregated ClusterRoles, or when the rules already grant exactly the needs', () => {
    const result = analyze(FILE, NEEDED);
    assert.equal(leastPrivilegeFix(FILE, role(result, 'deployer'), neededFor([])), undefined, 'no deploy verbs');
    assert.equal(leastPrivilegeFix(FILE, role(result, 'deployer'), neededPermissions([], () => undefined, ['get'])), undefined, 'no manifests');
    const aggregated = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: agg}\naggregationRule:\n  clusterRoleSelectors: [{matchLabels: {a: b}}]\nrules: []\n';
    assert.equal(leastPrivilegeFix(aggregated, role(analyze(aggregated, NEEDED), 'agg'), NEEDED), undefined);
    // The same grants split differently: nothing to change.
    const split = `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: s}\nrules:\n  - apiGroups: ["apps"]\n    resources: ["deployments"]\n    verbs: ${VERBS}\n  - apiGroups: [""]\n    resources: ["services"]\n    verbs: ${VERBS}\n  - apiGroups: [""]\n    resources: ["configmaps"]\n    verbs: ${VERBS}\n`;
    assert.equal(leastPrivilegeFix(split, role(analyze(split, NEEDED), 's'), NEEDED), undefined);
    // Missing a needed resource (no unused grant at all) is still a difference worth rewriting.
    const missing = split.replace(/  - apiGroups: \[""\]\n    resources: \["configmaps"\]\n.*\n$/, '');
    assert.ok(leastPrivilegeFix(missing, role(analyze(missing, NEEDED), 's'), NEEDED));
  });

  it('compares grants atom by atom: resourceNames narrow, grouping does not matter', () => {
    const a = [{ apiGroups: [''], resources: ['services', 'configmaps'], verbs: ['get'] }];
    assert.ok(sameGrants(a, [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }, { apiGroups: [''], resources: ['services'], verbs: ['get'] }]));
    assert.ok(!sameGrants(a, [{ apiGroups: [''], resources: ['services', 'configmaps'], verbs: ['get'], resourceNames: ['web'] }]));
  });

  it('finds the Role whose rules hold the cursor, not its metadata nor another kind', () => {
    const result = analyze(FILE, NEEDED);
    const at = (s: string) => ({ start: FILE.indexOf(s), end: FILE.indexOf(s) + s.length });
    assert.equal(roleWithRulesAt(result.objects, at('"escalate"'))?.name, 'deployer');
    assert.equal(roleWithRulesAt(result.objects, at('rules:'))?.name, 'deployer');
    assert.equal(roleWithRulesAt(result.objects, at('name: deployer')), undefined);
    assert.equal(roleWithRulesAt(result.objects, at('kind: ServiceAccount')), undefined);
    assert.equal(roleWithRulesAt(result.objects, at('"jobs"'))?.name, 'other');
  });

  it('never breaks the other documents of the file', () => {
    const out = fixAndCheck(FILE, 'deployer');
    const docs = parseAllDocuments(out);
    assert.ok(Array.isArray(docs) && docs.length === 3 && docs.every((d) => d.errors.length === 0));
  });
});

describe('the resources "*" fix builds its replacement per API group (never a resource in a group that does not serve it)', () => {
  const TWO_GROUPS = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: wide, namespace: team-a}
rules:
  - apiGroups: ["", "apps"]
    resources: ["*"]
    verbs: ["get", "create"]
`;
  const fixOf = (text: string) => {
    const result = analyze(text, NEEDED);
    const obj = role(result, 'wide');
    const f = result.findings.find((x) => x.ruleId === 'unused-permission' && x.data?.value === '*' && x.data.field === 'resources')!;
    assert.ok(f, JSON.stringify(result.findings.map((x) => x.message)));
    return { f, fixes: quickFixes(text, f, obj) };
  };

  it('two groups: the message names each resource\'s group and the fix splits the rule', () => {
    const { f, fixes } = fixOf(TWO_GROUPS);
    assert.equal(f.message, 'resources "*" grants every resource; the manifests need only configmaps (core), services (core), deployments (apps)');
    const split = fixes.find((x) => x.title.startsWith('Replace "*" with one rule per API group'))!;
    assert.ok(split, fixes.map((x) => x.title).join(' | '));
    assert.equal(split.title, 'Replace "*" with one rule per API group: configmaps, services (core); deployments (apps)');
    assert.ok(!fixes.some((x) => /^Replace "\*" with configmaps/.test(x.title)), 'no single-list replacement across groups');
    const fixed = apply(TWO_GROUPS, split.edits);
    const rules = (parseAllDocuments(fixed)[0]!.toJS() as { rules: unknown[] }).rules;
    assert.deepEqual(rules, [
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: ['get', 'create'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'create'] },
    ]);
    const again = analyzeText(fixed, { catalog }).findings;
    assert.deepEqual(again.filter((x) => x.ruleId === 'unknown-resource' || x.ruleId === 'wildcard'), []);
  });

  it('apiGroups "*": split into the groups the manifests use', () => {
    const { fixes } = fixOf(TWO_GROUPS.replace('["", "apps"]', '["*"]'));
    const split = fixes.find((x) => x.title.startsWith('Replace "*" with one rule per API group'))!;
    const rules = (parseAllDocuments(apply(TWO_GROUPS.replace('["", "apps"]', '["*"]'), split.edits))[0]!.toJS() as { rules: { apiGroups: string[] }[] }).rules;
    assert.deepEqual(rules.map((r) => r.apiGroups), [[''], ['apps']]);
  });

  it('one named group keeps the list replacement', () => {
    const { fixes } = fixOf(TWO_GROUPS.replace('["", "apps"]', '["apps"]'));
    assert.ok(fixes.some((x) => x.title === 'Replace "*" with deployments'), fixes.map((x) => x.title).join(' | '));
  });
});
