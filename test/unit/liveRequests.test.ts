/**
 * Requests to the user's cluster are bounded (issue 20, item 6): a file naming 2,000 namespaces made the language
 * server and `check --live` send a SelfSubjectRulesReview and a SelfSubjectAccessReview per namespace, all at once.
 * A local HTTP server on loopback stands in for the apiserver (the documented review endpoints) and counts what is in
 * flight. Also: a crafted apiVersion never reaches the dry run's request path.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { analyzeText } from '../../server/src/core/engine/analyze';
import { parseRbacFile } from '../../server/src/core/engine/yaml/parse';
import { dryRunFindings } from '../../server/src/core/live/dryRun';
import { LiveEnvironment } from '../../server/src/core/live/liveEnvironment';
import { DEFAULT_SETTINGS } from '../../server/src/core/shared/settings';

interface Stats {
  inFlight: number;
  maxInFlight: number;
  paths: string[];
}

function standIn(stats: Stats): Server {
  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    stats.paths.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      // Answer a little later, so that requests sent together are in flight together.
      setTimeout(() => {
        stats.inFlight--;
        const url = req.url ?? '';
        if (url.includes('selfsubjectreviews')) return json(res, { status: { userInfo: { username: 'dev', groups: ['system:authenticated'] } } });
        if (url.includes('selfsubjectrulesreviews')) return json(res, { status: { resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], nonResourceRules: [], incomplete: false } });
        if (url.includes('selfsubjectaccessreviews')) return json(res, { status: { allowed: false } });
        if (url === '/apis') return json(res, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
        if (url === '/api/v1') return json(res, { kind: 'APIResourceList', groupVersion: 'v1', resources: [] });
        if (url.startsWith('/apis/rbac.authorization.k8s.io/v1')) {
          if (req.method === 'GET') return json(res, { kind: 'APIResourceList', groupVersion: 'rbac.authorization.k8s.io/v1', resources: [{ name: 'roles', kind: 'Role', namespaced: true, singularName: 'role', verbs: ['create'] }] });
          return json(res, {});
        }
        if (url === '/version') return json(res, { gitVersion: 'v1.36.3' });
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: 'not found' }));
      }, 5);
    });
  });
}

const stats: Stats = { inFlight: 0, maxInFlight: 0, paths: [] };
const server = standIn(stats);
const dir = mkdtempSync(join(tmpdir(), 'prb-live-requests-'));
const kubeconfig = join(dir, 'kubeconfig');

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 'stand-in-token' } }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'ns-0' } }],
    'current-context': 'ctx',
  };
  writeFileSync(kubeconfig, JSON.stringify(config), { mode: 0o600 });
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const reset = () => Object.assign(stats, { inFlight: 0, maxInFlight: 0, paths: [] });
const count = (part: string) => stats.paths.filter((p) => p.includes(part)).length;

describe('live requests for a file naming 2,000 namespaces', () => {
  const text = Array.from({ length: 2000 }, (_, i) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: ns-${i}}\nrules:\n- apiGroups: [""]\n  resources: [secrets]\n  verbs: [get]\n`).join('---\n');
  const settings = { ...DEFAULT_SETTINGS, kubeconfig, trusted: true };

  it('at most 8 requests in flight, 50 namespaces read, and one finding for the rest', async () => {
    reset();
    const env = new LiveEnvironment();
    assert.equal(await env.refresh(settings, parseRbacFile(text).objects), true);
    assert.ok(stats.maxInFlight <= 8, `max in flight ${stats.maxInFlight}`);
    assert.ok(stats.maxInFlight >= 2, `requests still overlap (${stats.maxInFlight})`);
    assert.equal(count('selfsubjectrulesreviews'), 50);
    assert.equal(count('selfsubjectaccessreviews'), 50);
    const findings = analyzeText(text, env.options(settings)).findings;
    const unread = findings.filter((f) => /not checked against your live permissions/.test(f.message));
    assert.equal(unread.length, 1);
    assert.match(unread[0]!.message, /^1,950 namespaces of this file \(from namespace "ns-50" on\) were not checked/);
    assert.equal(text.slice(unread[0]!.span.start, unread[0]!.span.end), 'ns-50');
    // The 50 read are checked: each Role there is denied (secrets get is not held).
    assert.equal(findings.filter((f) => f.ruleId === 'not-held' && f.severity === 'error').length, 50);
  });
});

describe('dry-run request paths come from validated apiVersion and kind only', () => {
  const kc = () => {
    const k = new KubeConfig();
    k.loadFromFile(kubeconfig);
    return k;
  };
  const role = (apiVersion: string) => parseRbacFile(`apiVersion: ${JSON.stringify(apiVersion)}\nkind: Role\nmetadata: {name: r, namespace: ns-0}\nrules: []\n`).objects;

  it('a well-formed object is sent to its collection', async () => {
    reset();
    const objects = role('rbac.authorization.k8s.io/v1');
    assert.equal(objects.length, 1);
    assert.deepEqual(await dryRunFindings(kc(), objects, 'ns-0'), []);
    assert.ok(stats.paths.some((p) => p.startsWith('POST /apis/rbac.authorization.k8s.io/v1/namespaces/ns-0/roles?')), stats.paths.join('\n'));
  });

  for (const crafted of ['rbac.authorization.k8s.io/v1/../../../api/v1/namespaces/kube-system/secrets?x=', 'rbac.authorization.k8s.io/v1?watch=1#', 'rbac.authorization.k8s.io/v1%2F..%2F']) {
    it(`${JSON.stringify(crafted)}: nothing sent, a finding says why`, async () => {
      reset();
      const objects = role(crafted);
      assert.equal(objects.length, 1, 'parsed as an RBAC object');
      const findings = await dryRunFindings(kc(), objects, 'ns-0');
      assert.deepEqual(stats.paths, []);
      assert.equal(findings.length, 1);
      assert.match(findings[0]!.message, /^not sent to the apiserver for the dry run: the version of apiVersion .* is not a DNS label|is not GROUP\/VERSION/);
    });
  }
});

describe('proxies (issue 20): what @kubernetes/client-node does with them, as the live layer uses it', () => {
  /** A loopback HTTP proxy stand-in: records each request line and its Authorization header, forwards nothing. */
  function proxyStandIn(seen: { url: string; auth: string | undefined }[]): Server {
    const p = createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('stand-in proxy');
    });
    p.on('connect', (req, socket) => {
      seen.push({ url: `CONNECT ${req.url}`, auth: req.headers.authorization });
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    return p;
  }
  const listen = (s: Server) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));

  it('HTTPS_PROXY, HTTP_PROXY and NO_PROXY are ignored: requests go straight to the server', async () => {
    const seen: { url: string; auth: string | undefined }[] = [];
    const proxy = proxyStandIn(seen);
    const port = await listen(proxy);
    const saved = { ...process.env };
    Object.assign(process.env, { HTTPS_PROXY: `http://127.0.0.1:${port}`, HTTP_PROXY: `http://127.0.0.1:${port}`, https_proxy: `http://127.0.0.1:${port}`, http_proxy: `http://127.0.0.1:${port}`, NO_PROXY: '' });
    try {
      reset();
      const env = new LiveEnvironment();
      await env.refresh({ ...DEFAULT_SETTINGS, kubeconfig, trusted: true }, parseRbacFile('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: ns-1}\nrules: []\n').objects);
      assert.ok(count('selfsubjectrulesreviews') === 1, stats.paths.join('\n'));
      assert.deepEqual(seen, []);
    } finally {
      process.env = saved;
      proxy.close();
    }
  });

  it("a kubeconfig cluster's proxy-url is used: a CONNECT tunnel to the cluster's own host and port, no credentials in it", async () => {
    const seen: { url: string; auth: string | undefined }[] = [];
    const proxy = proxyStandIn(seen);
    const port = await listen(proxy);
    try {
      const k = new KubeConfig();
      k.loadFromFile(kubeconfig);
      const cluster = k.getCurrentCluster()!;
      k.clusters = [{ ...cluster, proxyUrl: `http://127.0.0.1:${port}` }];
      reset();
      await dryRunFindings(k, parseRbacFile('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: ns-0}\nrules: []\n').objects, 'ns-0').catch(() => []);
      assert.deepEqual(stats.paths, [], 'nothing reached the server directly');
      // The proxy is only asked to tunnel to the server the kubeconfig names; the token would travel inside the tunnel
      // (TLS to the server for https://, readable by the proxy only for an http:// server).
      assert.deepEqual(seen, [{ url: `CONNECT ${new URL(cluster.server).host}`, auth: undefined }]);
    } finally {
      proxy.close();
    }
  });
});
