import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { CodeActionKind, CodeActionRequest, type CodeAction, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver-protocol';
import { startServer, type LspSession } from './lspClient';

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team-a}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: team-a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: team-a}
`;

const ROLE = `# The pipeline's Role, made broad "to make it work"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: team-a
rules:
  - apiGroups: ["apps"]
    resources: ["*"]
    verbs: ["get", "create", "delete"]
  - apiGroups: [""]
    resources: ["services", "secrets", "configmaps"]
    verbs: ["get", "list", "create", "update", "patch", "escalate"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects: [{kind: ServiceAccount, name: ci, namespace: team-a}]
`;

const DEPLOY_VERBS = ['get', 'list', 'create', 'update', 'patch'];
const TITLE = 'Replace rules with the least privilege for the manifests (2 rules)';

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)).reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

function rulesOf(text: string): unknown {
  const docs = parseAllDocuments(text);
  assert.ok(Array.isArray(docs) && docs.every((d) => d.errors.length === 0), 'the edited file parses');
  return (docs[0]!.toJS() as { rules: unknown }).rules;
}

describe('least-privilege rules code action over LSP (dist/server.js --stdio, manifests in a temp workspace)', () => {
  let lsp: LspSession;
  let dir: string;
  let uri: string;
  const unused = (d: Diagnostic[]) => d.filter((x) => x.code === 'unused-permission');
  const message = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);
  const actionsAt = (range: Range, diagnostics: Diagnostic[], only?: string[]) =>
    lsp.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics, ...(only ? { only } : {}) } }) as Promise<CodeAction[]>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'prb-lp-'));
    mkdirSync(join(dir, 'deploy'));
    writeFileSync(join(dir, 'deploy', 'app.yaml'), MANIFESTS);
    uri = pathToFileURL(join(dir, 'rbac', 'role.yaml')).href;
    lsp = await startServer({ live: { enable: false }, validateDelay: 0, manifests: ['deploy/**/*.yaml'], deployVerbs: DEPLOY_VERBS }, {}, [], pathToFileURL(dir).href);
    await lsp.open(uri, ROLE);
  });
  after(async () => {
    await lsp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers the rewrite as a quick fix on unused-permission, and the edit leaves exactly the needed rules', async () => {
    // The manifests are read after the first analysis; the re-validation then adds unused-permission.
    const diags = await lsp.waitForDiagnostics(uri, (d) => unused(d).length > 0);
    const wildcard = unused(diags).find((d) => message(d).startsWith('resources "*"'))!;
    assert.ok(wildcard, unused(diags).map(message).join(' | '));
    const actions = await actionsAt(wildcard.range, [wildcard]);
    const fix = actions.find((a) => a.title === TITLE);
    assert.ok(fix, actions.map((a) => a.title).join(' | '));
    assert.equal(fix.kind, CodeActionKind.QuickFix);
    assert.deepEqual(fix.diagnostics, [wildcard]);

    const fixed = apply(ROLE, fix.edit!.changes![uri]!);
    assert.deepEqual(rulesOf(fixed), [
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: DEPLOY_VERBS },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: DEPLOY_VERBS },
    ]);
    const rulesStart = ROLE.indexOf('  - apiGroups: ["apps"]');
    const rulesEnd = ROLE.indexOf('\n---');
    assert.equal(fixed.slice(0, rulesStart), ROLE.slice(0, rulesStart), 'comment and metadata untouched');
    assert.equal(fixed.slice(fixed.indexOf('\n---')), ROLE.slice(rulesEnd), 'the RoleBinding untouched');
    assert.match(fixed, /\nrules:\n  - apiGroups: \[""\]\n    resources: \["configmaps", "services"\]\n    verbs: \["get", "list", "create", "update", "patch"\]\n  - apiGroups: \["apps"\]\n/);

    const after = await lsp.change(uri, fixed);
    assert.deepEqual(unused(after), [], 'no unused permission is left');
    assert.deepEqual(after.filter((d) => d.code === 'yaml-syntax' || d.code === 'schema'), []);
    const again = await actionsAt({ start: { line: 8, character: 6 }, end: { line: 8, character: 6 } }, []);
    assert.equal(again.some((a) => a.title.startsWith('Replace rules with the least privilege')), false, 'nothing left to replace');
  });

  it('offers it as refactor.rewrite inside the rules without a diagnostic, and not in metadata', async () => {
    await lsp.change(uri, ROLE);
    const inRules = { start: { line: 11, character: 20 }, end: { line: 11, character: 20 } };
    const actions = await actionsAt(inRules, [], [CodeActionKind.Refactor]);
    assert.deepEqual(actions.map((a) => [a.title, a.kind]), [[TITLE, CodeActionKind.RefactorRewrite]]);
    assert.deepEqual(rulesOf(apply(ROLE, actions[0]!.edit!.changes![uri]!)), rulesOf(apply(ROLE, (await actionsAt(inRules, []))[0]!.edit!.changes![uri]!)));
    assert.deepEqual(await actionsAt(inRules, [], [CodeActionKind.QuickFix]), [], 'only: quickfix leaves the refactor out');
    const inMetadata = { start: { line: 4, character: 9 }, end: { line: 4, character: 9 } };
    assert.deepEqual(await actionsAt(inMetadata, []), []);
  });
});
