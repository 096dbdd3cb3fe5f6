import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { startServer, type LspSession } from './lspClient';

const message = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);

describe('hostile files over LSP (dist/server.js --stdio)', () => {
  let lsp: LspSession;
  before(async () => {
    lsp = await startServer({ live: { enable: false }, validateDelay: 0 });
  });
  after(async () => lsp.stop());

  it('a 200 KB line of quotes publishes at most 100 yaml-syntax diagnostics plus one that counts the rest', async () => {
    const text = `${'"'.repeat(200_000)}\n`;
    const diags = await lsp.open('file:///ws/quotes.yaml', text);
    const syntax = diags.filter((d) => d.code === 'yaml-syntax');
    assert.ok(syntax.length <= 101 && diags.length <= 101 * 3, `${diags.length} diagnostics published`);
    const more = syntax.filter((d) => /more yaml-syntax findings in this file, from here on, are not shown/.test(message(d)));
    assert.equal(more.length, 1, syntax.slice(-2).map(message).join(' | '));
    const omitted = Number(/^(\d+) more/.exec(message(more[0]!))![1]);
    assert.ok(omitted > 90_000, `${omitted} left out`);
    assert.equal(syntax.length - 1, 100);
  });

  it('2 MB of [ gives one finding that says what and where, quickly enough for the next edit to be answered', async () => {
    const text = `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: x}\nrules: ${'['.repeat(2 * 1024 * 1024)}\n`;
    const diags = await lsp.open('file:///ws/nested.yaml', text);
    assert.equal(diags.length, 1, JSON.stringify(diags.map(message)));
    assert.match(message(diags[0]!), /^YAML nested deeper than 500 levels here/);
    assert.equal(diags[0]!.range.start.line, 3);
    const next = await lsp.open('file:///ws/fine.yaml', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: fine}\nrules: []\n');
    assert.deepEqual(next, []);
  });
});

const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: team-a}
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "create"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "create"]
`;
const clusterRole = (name: string, resource: string) =>
  `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: ${name}}\nrules:\n- apiGroups: [""]\n  resources: [${resource}]\n  verbs: [get]\n`;
const binding = (name: string) =>
  `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ${name}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name}}\nsubjects: [{kind: ServiceAccount, name: ci, namespace: team-a}]\n`;

/** If any hostile path were read, `secrets` would be needed and its unused-permission finding would go away. */
const SECRET_MANIFEST = 'apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: team-a}\n';

describe('a hostile workspace is indexed without reading what it must not (dist/server.js --stdio)', () => {
  let lsp: LspSession;
  let dir: string;
  let ws: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'prb-hostile-'));
    ws = join(dir, 'ws');
    mkdirSync(join(ws, 'deploy'), { recursive: true });
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(ws, 'deploy', 'app.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: team-a}\n');
    writeFileSync(join(dir, 'outside', 'secret.yaml'), SECRET_MANIFEST);
    // Workspace roles: one in the workspace, one only reachable through the linked folder.
    mkdirSync(join(ws, 'roles'));
    writeFileSync(join(ws, 'roles', 'reader.yaml'), clusterRole('reader', 'pods'));
    writeFileSync(join(dir, 'outside', 'node-admin.yaml'), clusterRole('node-admin', 'nodes'));
    symlinkSync(join(dir, 'outside'), join(ws, 'roles', 'linked'));
    symlinkSync('/dev/zero', join(ws, 'deploy', 'zero.yaml'));
    symlinkSync(join(dir, 'outside'), join(ws, 'deploy', 'linked'));
    symlinkSync(join(dir, 'outside', 'secret.yaml'), join(ws, 'deploy', 'secret-link.yaml'));
    // 3 GB, sparse: skipped by its size before any byte is read (a read would take the worker's whole heap).
    writeFileSync(join(ws, 'deploy', 'huge.yaml'), SECRET_MANIFEST);
    truncateSync(join(ws, 'deploy', 'huge.yaml'), 3 * 1024 * 1024 * 1024);
    // A named pipe: opening it for reading would wait for a writer forever.
    assert.equal(spawnSync('mkfifo', [join(ws, 'deploy', 'pipe.yaml')]).status, 0);
    const settings = { live: { enable: false }, validateDelay: 0, manifests: ['deploy/**/*.yaml', '../outside/*.yaml', '/etc/*.conf', '{..,x}/outside/*.yaml'] };
    lsp = await startServer(settings, {}, [], pathToFileURL(ws).href);
  });
  after(async () => {
    await lsp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the regular manifest, none of the links, the pipe, the oversized file or the escaping globs, and says so', async () => {
    const uri = pathToFileURL(join(ws, 'rbac', 'role.yaml')).href;
    await lsp.open(uri, ROLE);
    const diags = await lsp.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'unused-permission'));
    const unused = diags.filter((d) => d.code === 'unused-permission').map(message);
    assert.ok(unused.some((m) => /secrets/.test(m)), `secrets stays unused: ${unused.join(' | ')}`);
    assert.ok(!unused.some((m) => /deployments/.test(m)), `deployments is needed (deploy/app.yaml was read): ${unused.join(' | ')}`);

    const logs = () => lsp.notifications('window/logMessage').map((p) => String((p as { message: string }).message));
    const deadline = Date.now() + 20_000;
    while (!logs().some((m) => m.includes('pipeline-rbac: manifests:')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const note = logs().find((m) => m.includes('pipeline-rbac: manifests:'));
    assert.ok(note, logs().join('\n'));
    assert.match(note, /globs that reach outside the workspace folder were ignored: "\.\.\/outside\/\*\.yaml", "\/etc\/\*\.conf", "\{\.\.,x\}\/outside\/\*\.yaml"/);
    assert.match(note, /deploy\/huge\.yaml: larger than 2097152 bytes \(3221225472\)/);
    // The crawl lists neither links nor pipes; the scan finished, so the pipe was never opened.
    assert.doesNotMatch(note, /deploy\/(zero|linked|secret-link|pipe)/, 'links are not followed, so not even looked at');
    assert.equal(lsp.stderr().includes('heap'), false);
  });

  it('indexes the workspace roles, not one behind a folder link', async () => {
    const uri = pathToFileURL(join(ws, 'rbac', 'bindings.yaml')).href;
    await lsp.open(uri, `${binding('reader')}---\n${binding('node-admin')}`);
    const scope = (d: Diagnostic[]) => d.filter((x) => x.code === 'cluster-scope').map(message);
    // Once the index is in, the reader's advice names its rules; node-admin stays unknown (nodes were never read).
    const diags = await lsp.waitForDiagnostics(uri, (d) => scope(d).some((m) => /"reader".*its rules are all namespaced/.test(m)));
    const nodeAdmin = scope(diags).find((m) => m.includes('"node-admin"'));
    assert.ok(nodeAdmin, scope(diags).join(' | '));
    assert.match(nodeAdmin, /if the role needs only namespaced resources/);
    assert.doesNotMatch(nodeAdmin, /nodes/);
  });
});
