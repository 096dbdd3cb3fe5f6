import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type LspSession } from './lspClient';
import { DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageserver-protocol';

const ROLE_WITH_WILDCARD_VERBS = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: team-a
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["*"]
`;

describe('diagnostics over LSP (dist/server.js --stdio)', () => {
  let lsp: LspSession;
  before(async () => {
    lsp = await startServer({ live: { enable: false }, validateDelay: 0 });
  });
  after(async () => lsp.stop());

  it('a Role rule with verbs ["*"] gets a pipeline-rbac wildcard diagnostic on that line', async () => {
    const diags = await lsp.open('file:///ws/role.yaml', ROLE_WITH_WILDCARD_VERBS);
    const wildcard = diags.filter((d) => d.code === 'wildcard');
    assert.equal(wildcard.length, 1, JSON.stringify(diags, null, 2));
    assert.equal(wildcard[0]!.source, 'pipeline-rbac');
    assert.equal(wildcard[0]!.range.start.line, 8, 'the verbs line (0-based 8)');
    assert.match(String(wildcard[0]!.message), /\*/);
  });

  it('fixing the wildcard clears the diagnostic on the next version', async () => {
    const fixed = ROLE_WITH_WILDCARD_VERBS.replace('["*"]', '["get", "list"]');
    const diags = await lsp.change('file:///ws/role.yaml', fixed);
    assert.deepEqual(diags.filter((d) => d.code === 'wildcard'), []);
  });

  it('a YAML syntax error is reported with its position and the server keeps serving', async () => {
    const broken = 'kind: Role\nmetadata: {name: x\nrules: [\n';
    const diags = await lsp.open('file:///ws/broken.yaml', broken);
    const syntax = diags.filter((d) => d.code === 'yaml-syntax');
    assert.ok(syntax.length >= 1, JSON.stringify(diags));
    const again = await lsp.open('file:///ws/role2.yaml', ROLE_WITH_WILDCARD_VERBS);
    assert.equal(again.filter((d) => d.code === 'wildcard').length, 1);
  });

  it('a non-RBAC YAML file gets no findings', async () => {
    const diags = await lsp.open('file:///ws/deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n');
    assert.deepEqual(diags, []);
  });
});

describe('configuration changes over LSP', () => {
  it('a change notification that changes nothing re-validates nothing; one that changes a rule re-publishes', async () => {
    const settings: Record<string, unknown> = { live: { enable: false }, validateDelay: 0 };
    const lsp = await startServer(settings);
    try {
      const uri = 'file:///ws/config-role.yaml';
      assert.equal((await lsp.open(uri, ROLE_WITH_WILDCARD_VERBS)).filter((d) => d.code === 'wildcard').length, 1);
      const { configurationRequests } = lsp.counts(uri);
      // VS Code sends such a notification at startup: the server reads the settings again, sees no difference.
      await lsp.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
      await pollFor(() => lsp.counts(uri).configurationRequests > configurationRequests);
      settings.rules = { wildcard: 'off' };
      await lsp.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
      await lsp.waitForDiagnostics(uri, (d) => !d.some((x) => x.code === 'wildcard'));
      assert.equal(lsp.counts(uri).published, 2, 'published on open and after the real change only');
    } finally {
      await lsp.stop();
    }
  });
});

describe('re-analyses that find nothing new', () => {
  it('send no diagnostics again: VS Code re-asks for code actions on every publish and cancels an open Ctrl+. menu', async () => {
    const lsp = await startServer({ live: { enable: false }, validateDelay: 0 });
    try {
      const uri = 'file:///ws/republish-role.yaml';
      assert.equal((await lsp.open(uri, ROLE_WITH_WILDCARD_VERBS)).filter((d) => d.code === 'wildcard').length, 1);
      // A workspace file changed: every open document is analysed again, this one with the same result.
      await lsp.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: 'file:///ws/app/deploy.yaml', type: FileChangeType.Changed }] });
      const analysesOfV1 = () => lsp.notifications('window/logMessage').filter((m) => String((m as { message?: string }).message).includes(`diagnostics of ${uri} v1 `)).length;
      await pollFor(() => analysesOfV1() >= 2);
      assert.equal(lsp.counts(uri).published, 1, 'the second analysis of v1 sent nothing');
      // A real change is still sent, and so is a new version with the same diagnostics (only repeats of a version are not).
      const fixed = ROLE_WITH_WILDCARD_VERBS.replace('["*"]', '["get"]');
      assert.deepEqual((await lsp.change(uri, fixed)).filter((d) => d.code === 'wildcard'), []);
      await lsp.change(uri, fixed);
      assert.equal(lsp.counts(uri).published, 3);
    } finally {
      await lsp.stop();
    }
  });
});

async function pollFor(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
