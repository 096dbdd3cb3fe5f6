// A Helm template open in the editor gets the findings of its rendered chart (real helm) on its own lines, over LSP;
// template syntax is never reported as YAML; a save renders again.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DidChangeTextDocumentNotification, DidSaveTextDocumentNotification, type Diagnostic } from 'vscode-languageserver-protocol';
import { startServer, type LspSession } from './lspClient';
import { hostileChart, plantSecrets, PLANTED_ENV } from '../unit/helpers/hostileRender';

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

describe('pipelineRbac.manifests naming a chart folder, over LSP', () => {
  const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: team-a}
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "create", "patch", "delete"]
`;
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'prb-chart-manifests-'));
    cpSync(resolve(__dirname, '../fixtures/render/chart-app'), join(dir, 'web'), { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('with helm: missing-permission names what the rendered chart needs (helm deployer)', async () => {
    const lsp = await startServer({ live: { enable: false }, validateDelay: 0, manifests: ['web'], deployer: 'helm' }, {}, [], pathToFileURL(dir).href);
    try {
      const uri = pathToFileURL(join(dir, 'role.yaml')).href;
      await lsp.open(uri, ROLE);
      const d = await lsp.waitForDiagnostics(uri, (x) => x.some((y) => y.code === 'missing-permission'));
      const msgs = d.filter((x) => x.code === 'missing-permission').map((x) => (typeof x.message === 'string' ? x.message : x.message.value));
      assert.ok(msgs.includes('`helm upgrade` will fail on HorizontalPodAutoscaler web (web/templates/hpa.yaml): get, create, patch, delete horizontalpodautoscalers.autoscaling'), msgs.join('\n'));
    } finally {
      await lsp.stop();
    }
  });

  it('without helm: one finding says why least privilege is not checked, and no unused/missing guesses', async () => {
    const lsp = await startServer({ live: { enable: false }, validateDelay: 0, manifests: ['web'] }, { PATH: '/usr/bin:/bin', XDG_CACHE_HOME: '/nonexistent' }, [], pathToFileURL(dir).href);
    try {
      const uri = pathToFileURL(join(dir, 'role.yaml')).href;
      await lsp.open(uri, ROLE);
      const d = await lsp.waitForDiagnostics(uri, (x) => x.some((y) => y.code === 'render-error'));
      const err = d.filter((x) => x.code === 'render-error');
      assert.equal(err.length, 1);
      assert.match(typeof err[0]!.message === 'string' ? err[0]!.message : err[0]!.message.value, /not checked: .*web: helm was not found on PATH/);
      assert.deepEqual(d.filter((x) => x.code === 'unused-permission' || x.code === 'missing-permission'), []);
    } finally {
      await lsp.stop();
    }
  });
});

describe('a hostile chart over LSP (issue 20): the server renders it like the CLI', () => {
  it('links to an outside file and to /proc/self/environ: one render-error naming the link, nothing of either in any diagnostic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prb-chart-hostile-'));
    const planted = plantSecrets(dir);
    const chart = join(dir, 'web');
    hostileChart(chart, 'link-environ', planted, 9);
    symlinkSync(planted.file, join(chart, 'files', 'notes.txt'));
    // The server's own environment holds the planted value, as a CI runner's or a developer's shell would.
    const lsp = await startServer({ live: { enable: false }, validateDelay: 0 }, { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? '', [PLANTED_ENV]: planted.envValue }, [], pathToFileURL(dir).href);
    try {
      const path = join(chart, 'templates', 'role.yaml');
      const uri = pathToFileURL(path).href;
      const d = await lsp.open(uri, readFileSync(path, 'utf8'));
      const all = JSON.stringify(d);
      assert.ok(!all.includes(planted.envValue) && !all.includes(planted.fileValue), 'no planted secret in the diagnostics');
      const err = d.filter((x) => x.code === 'render-error');
      assert.equal(err.length, 1, all);
      assert.match(String(typeof err[0]!.message === 'string' ? err[0]!.message : ''), /helm template refused: \S*web\/files\/env\.txt leads outside the folder/);
    } finally {
      await lsp.stop();
      delete process.env[PLANTED_ENV];
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
