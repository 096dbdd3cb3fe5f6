// pipelineRbac.validateDelay collapses bursts of typing; it must not hold back an edit made after a pause (an undo, a
// quick fix, one change), which the person is looking at. The delay here is long, so the assertions do not depend on
// the machine's speed: the old debounce published the edit only after the whole delay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DidChangeTextDocumentNotification } from 'vscode-languageserver-protocol';
import { startServer } from './lspClient';

const DELAY = 3_000;
const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: team-a
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["*"]
`;
const FIXED = ROLE.replace('["*"]', '["get", "list"]');

describe('validateDelay over LSP (dist/server.js --stdio)', () => {
  it('publishes an edit made after a quiet spell at once, and collapses the burst that follows', async () => {
    const lsp = await startServer({ live: { enable: false }, validateDelay: DELAY });
    try {
      const uri = 'file:///ws/edit-after-pause.yaml';
      const opened = await lsp.open(uri, ROLE);
      assert.ok(opened.some((d) => d.code === 'wildcard'), `open: ${JSON.stringify(opened.map((d) => d.code))}`);
      await sleep(DELAY + 200);
      // Published within two thirds of the delay (diagnosticsFor rejects after that): it did not wait for the debounce.
      const change = (version: number, text: string) => lsp.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
      await change(2, FIXED);
      const edited = await lsp.diagnosticsFor(uri, 2, (DELAY * 2) / 3);
      assert.ok(!edited.some((d) => d.code === 'wildcard'), `edit: ${JSON.stringify(edited.map((d) => d.code))}`);

      // Right after: a burst of two keystrokes. Only the last is analysed, once the delay has passed.
      const published = lsp.counts(uri).published;
      await change(3, ROLE);
      await change(4, FIXED.replace('team-a', 'team-b'));
      const last = await lsp.diagnosticsFor(uri, 4, DELAY + 10_000);
      assert.ok(!last.some((d) => d.code === 'wildcard'));
      assert.equal(lsp.counts(uri).published, published + 1, 'the burst published once, for its last version');
    } finally {
      await lsp.stop();
    }
  });
});
