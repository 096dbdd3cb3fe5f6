// Extension-host tests (run inside VS Code by @vscode/test-electron). Plain assert: no test framework to bundle.
const assert = require('node:assert/strict');
const path = require('node:path');
const vscode = require('vscode');

async function waitFor(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

exports.run = async function run() {
  const ext = vscode.extensions.getExtension('pipeline-rbac.pipeline-rbac');
  assert.ok(ext, 'the extension is installed');
  const file = path.resolve(__dirname, '../../fixtures/rbac/risky-ci-role.yaml');
  const doc = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(doc);
  await waitFor(() => ext.isActive, 20000, 'activation');
  const diags = await waitFor(() => {
    const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'pipeline-rbac');
    return d.length ? d : undefined;
  }, 20000, 'pipeline-rbac diagnostics');
  const codes = new Set(diags.map((d) => (typeof d.code === 'object' ? d.code.value : d.code)));
  for (const id of ['wildcard', 'secrets-read', 'pods-exec']) assert.ok(codes.has(id), `diagnostic ${id} present`);
  const commands = await vscode.commands.getCommands(true);
  assert.ok(commands.includes('pipelineRbac.dryRun'), 'commands are registered');
  console.log(`vscode suite: ${diags.length} diagnostics, codes ${[...codes].join(', ')}`);
};
