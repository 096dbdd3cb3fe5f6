import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CodeActionRequest, CompletionRequest, DidChangeTextDocumentNotification, HoverRequest, type CodeAction, type CompletionItem, type MarkupContent } from 'vscode-languageserver-protocol';
import { startServer, type LspSession } from './lspClient';

const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: team-a
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["*"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "create"]
`;

function apply(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)).reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

describe('hover, completion and code actions over LSP (dist/server.js --stdio)', () => {
  let lsp: LspSession;
  const uri = 'file:///ws/features.yaml';
  before(async () => {
    lsp = await startServer({ live: { enable: false }, validateDelay: 0 });
    await lsp.open(uri, ROLE);
  });
  after(async () => lsp.stop());

  it('hover on a rule lists what it grants, atom by atom', async () => {
    const hover = await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 10, character: 8 } });
    const md = (hover?.contents as MarkupContent).value;
    assert.match(md, /\*\*Rule 2\*\* of Role `deployer` grants 2 permissions in namespace `team-a`/);
    assert.match(md, /\| `get` \| `secrets` \| core \| all \|/);
    assert.match(md, /\| `create` \| `secrets` \| core \| all \|/);
    assert.match(md, /secrets-read/, 'the rule\'s findings are listed');
    assert.equal(hover?.range?.start.line, 9, 'the hover range is the rule');
  });

  it('hover outside any rule gives nothing', async () => {
    const hover = await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 2 } });
    assert.equal(hover, null);
  });

  it('completes resources of the rule\'s API group from the catalog, and verbs of those resources', async () => {
    const text = ROLE + '  - apiGroups: ["apps"]\n    resources: ["sta';
    await lsp.change(uri, text);
    const items = (await lsp.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 14, character: 20 } })) as CompletionItem[];
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('statefulsets'), labels.join(', '));
    assert.ok(labels.includes('statefulsets/scale'));
    assert.ok(!labels.includes('deployments'), 'filtered by what is typed');
    assert.equal(items.find((i) => i.label === 'statefulsets')!.textEdit && (items.find((i) => i.label === 'statefulsets')!.textEdit as { newText: string }).newText, '"statefulsets"');
    const verbsText = ROLE + '  - apiGroups: [""]\n    resources: ["pods/exec"]\n    verbs: [';
    await lsp.change(uri, verbsText);
    const verbs = (await lsp.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 15, character: 12 } })) as CompletionItem[];
    const v = verbs.map((i) => i.label);
    assert.ok(v.includes('create') && v.includes('get'), v.join(', '));
    assert.ok(!v.includes('list'), 'pods/exec supports create and get only');
    assert.match(verbs.find((i) => i.label === '*')?.detail ?? '', /risky/);
  });

  it('code actions fix a wildcard, and the fixed text has no wildcard finding', async () => {
    const diags = await lsp.change(uri, ROLE);
    const wildcard = diags.find((d) => d.code === 'wildcard')!;
    const actions = (await lsp.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: wildcard.range,
      context: { diagnostics: [wildcard] },
    })) as CodeAction[];
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Disable wildcard for this line'), titles.join(' | '));
    const replace = actions.find((a) => a.title.startsWith('Replace "*" with'))!;
    assert.equal(replace.isPreferred, true);
    const fixed = apply(ROLE, replace.edit!.changes![uri]!);
    assert.match(fixed, /verbs: \["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"\]/);
    const after = await lsp.change(uri, fixed);
    assert.equal(after.filter((d) => d.code === 'wildcard').length, 0);
  });

  it('code actions for a verb-dependent risk remove exactly the risky verbs', async () => {
    const diags = await lsp.change(uri, ROLE);
    const secrets = diags.find((d) => d.code === 'secrets-read')!;
    const actions = (await lsp.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: secrets.range, context: { diagnostics: [secrets] } })) as CodeAction[];
    const remove = actions.find((a) => a.title === 'Remove "get" from verbs')!;
    const fixed = apply(ROLE, remove.edit!.changes![uri]!);
    assert.match(fixed, /resources: \["secrets"\]\n    verbs: \["create"\]/);
  });
});

describe('code actions right after an edit', () => {
  it('answers for the edited version before its debounce has run (VS Code said "No code actions available")', async () => {
    // A long debounce: the request below surely arrives before the edit is analysed on its own.
    const lsp = await startServer({ live: { enable: false }, validateDelay: 5_000 });
    try {
      const uri = 'file:///ws/fresh-edit.yaml';
      const before = await lsp.open(uri, ROLE);
      const wildcard = before.find((d) => d.code === 'wildcard') ?? assert.fail(`no wildcard finding: ${JSON.stringify(before)}`);
      // An edit above the finding's line: same line and column afterwards, a new version with no analysis yet.
      await lsp.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }],
      });
      const moved = { ...wildcard, range: { start: { ...wildcard.range.start, line: wildcard.range.start.line + 1 }, end: { ...wildcard.range.end, line: wildcard.range.end.line + 1 } } };
      const actions = (await lsp.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: moved.range, context: { diagnostics: [moved] } })) as CodeAction[];
      assert.ok(actions.some((a) => /Replace "\*"/.test(a.title)), `actions: ${actions.map((a) => a.title).join(' | ')}`);
      const edit = actions.find((a) => /Replace "\*"/.test(a.title))?.edit?.changes?.[uri]?.[0];
      assert.equal(edit?.range.start.line, moved.range.start.line, 'the fix edits the edited version');
    } finally {
      await lsp.stop();
    }
  });
});
