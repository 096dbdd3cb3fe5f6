/**
 * The language server against the real apiserver, as `developer`: live held rules turn into not-held diagnostics
 * with the apiserver's predicted message, the status reports who we are, the dry-run request quotes the apiserver,
 * and an unreachable cluster leaves the offline checks working with one status that says why.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import type { LiveStatus } from '../../server/src/core/shared/protocol';
import { startServer, type LspSession } from '../protocol/lspClient';
import { clusterKubeconfigs } from './harness';

const GREEDY = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: greedy
  namespace: team-a
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "list"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "create"]
`;

/** The live status notifications until one has `state` (the server reports state changes as they happen). */
async function statusReached(lsp: LspSession, state: LiveStatus['state']): Promise<LiveStatus[]> {
  const deadline = Date.now() + 20_000;
  let statuses: LiveStatus[] = [];
  while (Date.now() < deadline && !statuses.some((s) => s.state === state)) {
    await new Promise((r) => setTimeout(r, 100));
    statuses = lsp.notifications('pipelineRbac/liveStatus') as LiveStatus[];
  }
  return statuses;
}

describe('language server status before any file is open', () => {
  it('connects at start-up: the status names the context and the user with no document open', async () => {
    const lsp = await startServer({ kubeconfig: clusterKubeconfigs().developer, live: { enable: true }, validateDelay: 0 });
    try {
      const statuses = await statusReached(lsp, 'connected');
      const connected = statuses.find((s) => s.state === 'connected');
      assert.ok(connected, `no "connected" status without a document: ${JSON.stringify(statuses)}`);
      assert.equal(connected.user, 'developer');
    } finally {
      await lsp.stop();
    }
  });
});

describe('language server with the live cluster (developer)', () => {
  let lsp: LspSession;
  before(async () => {
    lsp = await startServer({ kubeconfig: clusterKubeconfigs().developer, live: { enable: true }, validateDelay: 0 });
  });
  after(async () => lsp.stop());

  it('reports not-held on the rule the developer cannot grant, with the apiserver\'s message', async () => {
    const uri = 'file:///ws/greedy.yaml';
    await lsp.open(uri, GREEDY);
    const diags = await lsp.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'not-held'));
    const notHeld = diags.filter((d) => d.code === 'not-held');
    assert.equal(notHeld.length, 1, JSON.stringify(notHeld));
    assert.equal(notHeld[0]!.severity, 1);
    assert.ok(notHeld[0]!.range.start.line >= 9 && notHeld[0]!.range.start.line <= 11, 'on the secrets rule');
    assert.match(String(notHeld[0]!.message), /attempting to grant RBAC permissions not currently held/);
    assert.match(String(notHeld[0]!.message), /Resources:\["secrets"\], Verbs:\["get"\]/);
    const statuses = lsp.notifications('pipelineRbac/liveStatus') as LiveStatus[];
    const connected = statuses.find((s) => s.state === 'connected');
    assert.ok(connected, JSON.stringify(statuses));
    assert.equal(connected.user, 'developer');
  });

  it('a Role within the developer\'s rights has no not-held finding', async () => {
    const uri = 'file:///ws/fine.yaml';
    const fine = GREEDY.replace('verbs: ["get", "create"]', 'verbs: ["create", "delete"]');
    await lsp.open(uri, fine);
    // Wait until the live data is in (the deployments rule is held: hover says so), then check.
    const diags = await lsp.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'token-create'));
    assert.equal(diags.filter((d) => d.code === 'not-held').length, 0, JSON.stringify(diags));
  });

  it('the dry-run request asks the apiserver and shows its Forbidden message', async () => {
    const uri = 'file:///ws/greedy.yaml';
    const r = (await lsp.connection.sendRequest('pipelineRbac/dryRun', { uri })) as { checked: number; rejected: number };
    assert.deepEqual(r, { checked: 1, rejected: 1 });
    const diags = await lsp.waitForDiagnostics(uri, (d) => d.some((x) => /the apiserver rejected this Role \(dry run/.test(String(x.message))));
    const dry = diags.find((x) => /dry run/.test(String(x.message)))!;
    assert.equal(dry.code, 'not-held');
    assert.match(String(dry.message), /roles\.rbac\.authorization\.k8s\.io "greedy" is forbidden: user "developer"/);
  });
});

describe('language server: a binding checked against a Role in another workspace file', () => {
  it('is binding-not-held when that Role grants what the developer lacks, and clean when it does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prb-ws-'));
    const role = (verbs: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: ci-reader, namespace: team-a}\nrules:\n  - apiGroups: [""]\n    resources: ["secrets"]\n    verbs: ${verbs}\n`;
    writeFileSync(join(dir, 'role.yaml'), role('["get"]'));
    const binding = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: ci, namespace: team-a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ci-reader}\nsubjects: [{kind: ServiceAccount, name: ci, namespace: team-a}]\n';
    const settings = { kubeconfig: clusterKubeconfigs().developer, live: { enable: true }, validateDelay: 0 };
    const lsp = await startServer(settings, {}, [], pathToFileURL(dir).href);
    try {
      const uri = pathToFileURL(join(dir, 'binding.yaml')).href;
      await lsp.open(uri, binding);
      const diags = await lsp.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'binding-not-held' && x.severity === 1));
      assert.match(String(diags.find((x) => x.code === 'binding-not-held')!.message), /Resources:\["secrets"\], Verbs:\["get"\]/);
    } finally {
      await lsp.stop();
    }
    writeFileSync(join(dir, 'role.yaml'), role('["create"]'));
    const again = await startServer(settings, {}, [], pathToFileURL(dir).href);
    try {
      const uri = pathToFileURL(join(dir, 'binding2.yaml')).href;
      // A second binding, to a role that exists nowhere, proves the binding checks ran (it gets an information finding).
      const nowhere = binding.replace('name: ci,', 'name: other,').replace('name: ci-reader', 'name: nowhere');
      await again.open(uri, `${binding}---\n${nowhere}`);
      // The workspace's Roles are indexed on a worker thread while the file is answered: wait for the index to be in
      // (the first binding's finding goes), with the second binding's finding there all along.
      const diags = await again.waitForDiagnostics(
        uri,
        (d) => d.some((x) => x.code === 'binding-not-held' && x.range.start.line > 4) && !d.some((x) => x.code === 'binding-not-held' && x.range.start.line <= 4),
      );
      assert.deepEqual(diags.filter((d) => d.code === 'binding-not-held' && d.range.start.line <= 4), [], 'ci-reader is resolved from role.yaml and held');
    } finally {
      await again.stop();
    }
  });
});

describe('language server with rejected credentials', () => {
  it('says the credentials were rejected (401), keeps the offline checks, and never shows the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prb-401-'));
    const kc = parse(readFileSync(clusterKubeconfigs().developer, 'utf8')) as { users: { user: Record<string, unknown> }[] };
    const badToken = 'not-a-valid-token-7f3a9c';
    kc.users[0]!.user = { token: badToken };
    writeFileSync(join(dir, 'kubeconfig'), stringify(kc), { mode: 0o600 });
    const lsp = await startServer({ kubeconfig: join(dir, 'kubeconfig'), live: { enable: true }, validateDelay: 0 });
    try {
      const diags = await lsp.open('file:///ws/401.yaml', GREEDY);
      assert.ok(diags.some((d) => d.code === 'secrets-read'));
      const statuses = await statusReached(lsp, 'unauthorized');
      const rejected = statuses.find((s) => s.state === 'unauthorized');
      assert.ok(rejected, JSON.stringify(statuses));
      assert.match(rejected.message, /rejected the credentials/);
      assert.ok(!JSON.stringify(statuses).includes(badToken) && !lsp.stderr().includes(badToken), 'the token is never shown');
    } finally {
      await lsp.stop();
    }
  });
});

describe('language server with an unreachable cluster', () => {
  it('keeps the offline checks and says why once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prb-unreach-'));
    const kc = parse(readFileSync(clusterKubeconfigs().developer, 'utf8')) as { clusters: { cluster: { server: string } }[] };
    kc.clusters[0]!.cluster.server = 'https://127.0.0.1:9'; // discard port: nothing listens
    writeFileSync(join(dir, 'kubeconfig'), stringify(kc), { mode: 0o600 });
    const lsp = await startServer({ kubeconfig: join(dir, 'kubeconfig'), live: { enable: true }, validateDelay: 0 });
    try {
      const uri = 'file:///ws/offline.yaml';
      const diags = await lsp.open(uri, GREEDY);
      assert.ok(diags.some((d) => d.code === 'secrets-read'), 'offline findings flow at once');
      const statuses = await statusReached(lsp, 'unreachable');
      const down = statuses.find((s) => s.state === 'unreachable');
      assert.ok(down, JSON.stringify(statuses));
      assert.match(down.message, /Offline checks only: .*unreachable|ECONNREFUSED/);
      assert.ok(!/token/i.test(JSON.stringify(statuses)), 'no credential in the status');
      // Typing goes on: the next version is analysed offline, with no not-held guess.
      const again = await lsp.change(uri, GREEDY.replace('"get", "create"', '"get"'));
      assert.ok(again.some((d) => d.code === 'secrets-read'));
      assert.equal(again.filter((d) => d.code === 'not-held').length, 0);
    } finally {
      await lsp.stop();
    }
  });
});
