// A Helm template open in the editor gets the findings of its rendered chart (real helm) on its own lines, over LSP;
// template syntax is never reported as YAML; a save renders again.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DidChangeTextDocumentNotification, DidSaveTextDocumentNotification, type Diagnostic } from 'vscode-languageserver-protocol';
import { startServer, type LspSession } from './lspClient';

const CHART = resolve(__dirname, '../fixtures/render/chart-web');

describe('Helm templates over LSP (dist/server.js --stdio, real helm)', () => {
  let lsp: LspSession;
  let dir: string;
  let uri: string;
  let text: string;
  const at = (d: Diagnostic[], code: string) => d.filter((x) => x.code === code).map((x) => `${x.range.start.line + 1}:${x.range.start.character + 1}`);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'prb-chart-'));
    cpSync(CHART, join(dir, 'web'), { recursive: true });
    const path = join(dir, 'web', 'templates', 'role.yaml');
    uri = pathToFileURL(path).href;
    text = readFileSync(path, 'utf8');
    lsp = await startServer({ live: { enable: false }, validateDelay: 0 }, { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? '' }, [], pathToFileURL(dir).href);
  });
  after(async () => {
    await lsp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on open: findings of the rendered chart on the template lines, no YAML errors for {{ }}', async () => {
    const d = await lsp.open(uri, text);
    assert.deepEqual(at(d, 'pods-exec'), ['18:17']);
    assert.deepEqual(at(d, 'secrets-read'), ['13:16']);
    assert.deepEqual(d.filter((x) => x.code === 'yaml-syntax' || x.code === 'schema'), []);
  });

  it('a template whose chart does not render shows helm\'s message on the failing line; a fix and save clears it', async () => {
    const broken = text.replace('{{ .Values.readerVerb }}', '{{ .Values.readerVerb | required "readerVerb is required" }}');
    const path = join(dir, 'web', 'templates', 'role.yaml');
    writeFileSync(join(dir, 'web', 'values.yaml'), readFileSync(join(CHART, 'values.yaml'), 'utf8').replace('readerVerb: watch\n', ''));
    writeFileSync(path, broken);
    await lsp.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: broken }] });
    await lsp.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    const d = await lsp.waitForDiagnostics(uri, (x) => x.some((y) => y.code === 'render-error'));
    const err = d.find((x) => x.code === 'render-error')!;
    assert.equal(err.range.start.line + 1, 10);
    assert.match(typeof err.message === 'string' ? err.message : err.message.value, /readerVerb is required/);
    writeFileSync(join(dir, 'web', 'values.yaml'), readFileSync(join(CHART, 'values.yaml'), 'utf8'));
    await lsp.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
    const fixed = await lsp.waitForDiagnostics(uri, (x) => x.some((y) => y.code === 'pods-exec'));
    assert.deepEqual(fixed.filter((x) => x.code === 'render-error'), []);
  });
});
