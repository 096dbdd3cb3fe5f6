import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchSnapshot } from '../../server/src/core/inventory/fetch';
import type { JsonGetter } from '../../server/src/core/inventory/http';
import { LiveError, toLiveError } from '../../server/src/core/live/liveError';

interface Call {
  path: string;
  accept: string;
}

/**
 * A fake apiserver for list calls: objects per collection path, paginated by `limit`/`continue` like the real one,
 * with a per-path status override (403, 410...).
 */
class FakeLists implements JsonGetter {
  calls: Call[] = [];
  requests = 0;
  constructor(
    private readonly objects: Record<string, unknown[]>,
    private readonly status: (path: string, cont: string | null) => number | undefined = () => undefined,
  ) {}

  async getJson(full: string, accept: string, what: string): Promise<unknown> {
    this.calls.push({ path: full, accept });
    this.requests++;
    const url = new URL(`https://x${full}`);
    const cont = url.searchParams.get('continue');
    const code = this.status(url.pathname, cont);
    if (code) throw toLiveError({ code, body: JSON.stringify({ kind: 'Status', message: `${url.pathname} says ${code}` }) }, what);
    const all = this.objects[url.pathname] ?? [];
    const limit = Number(url.searchParams.get('limit'));
    const start = cont ? Number(cont) : 0;
    const items = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : undefined;
    return { items, metadata: next ? { continue: next } : {} };
  }
}

const sa = (ns: string, name: string, labels: Record<string, string> = {}) => ({
  metadata: { name, namespace: ns, labels, annotations: { 'pipeline-rbac.io/created-by': 'alice', 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}' } },
});

test('lists cluster-wide with limit/continue, metadata-only Accept for ServiceAccounts and Secrets', async () => {
  const sas = Array.from({ length: 12 }, (_, i) => sa('team-a', `sa-${i}`));
  const fake = new FakeLists({ '/api/v1/serviceaccounts': sas, '/api/v1/namespaces': [{ metadata: { name: 'team-a' } }] });
  const snap = await fetchSnapshot(fake, { pageSize: 5 });
  assert.equal(snap.serviceAccounts.length, 12);
  assert.equal(snap.clusterWide, true);
  assert.deepEqual(snap.namespaces, ['team-a']);
  const saCalls = fake.calls.filter((c) => c.path.startsWith('/api/v1/serviceaccounts'));
  assert.equal(saCalls.length, 3, '12 items at 5 a page');
  assert.match(saCalls[1]!.path, /continue=5/);
  assert.ok(saCalls.every((c) => c.accept.startsWith('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1')));
  for (const c of fake.calls.filter((x) => x.path.startsWith('/api/v1/secrets'))) assert.match(c.accept, /PartialObjectMetadataList/);
  assert.ok(fake.calls.some((c) => c.path.includes('fieldSelector=type%3Dkubernetes.io%2Fservice-account-token')));
  assert.ok(fake.calls.some((c) => c.path.includes('labelSelector=pipeline-rbac.io%2Fservice-account')));
  // 3 SA pages + 1 page each of namespaces, 2 secret lists, rolebindings, roles, clusterrolebindings, clusterroles.
  assert.equal(snap.stats.listRequests, 10);
  assert.equal(fake.requests, 10);
  // Only our annotations are kept (last-applied-configuration can be large, and on Secrets holds the data).
  assert.deepEqual(snap.serviceAccounts[0]!.metadata.annotations, { 'pipeline-rbac.io/created-by': 'alice' });
});

test('Secret data is dropped even when a server ignores the metadata-only Accept header', async () => {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/service-account-token',
    metadata: {
      name: 'ci-token',
      namespace: 'team-a',
      annotations: { 'kubernetes.io/service-account.name': 'ci', 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"token":"c2VjcmV0LXRva2Vu"}}' },
    },
    data: { token: 'c2VjcmV0LXRva2Vu', 'ca.crt': 'Y2E=' },
    stringData: { token: 'secret-token' },
  };
  const fake = new FakeLists({ '/api/v1/secrets': [secret] });
  const snap = await fetchSnapshot(fake);
  assert.equal(snap.tokenSecrets.length, 1, 'one Secret although both Secret lists returned it');
  assert.equal(snap.tokenSecrets[0]!.source, 'legacy-type');
  const json = JSON.stringify(snap);
  assert.doesNotMatch(json, /c2VjcmV0LXRva2Vu|secret-token|Y2E=/);
  assert.deepEqual(snap.tokenSecrets[0]!.metadata.annotations, { 'kubernetes.io/service-account.name': 'ci' });
});

test('a 403 on a cluster-wide list falls back per namespace; a 403 in one namespace is recorded there', async () => {
  const forbiddenEverywhere = new Set(['/api/v1/serviceaccounts', '/api/v1/secrets', '/apis/rbac.authorization.k8s.io/v1/rolebindings', '/apis/rbac.authorization.k8s.io/v1/roles', '/api/v1/namespaces', '/apis/rbac.authorization.k8s.io/v1/clusterroles', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings']);
  const fake = new FakeLists(
    {
      '/api/v1/namespaces/team-a/serviceaccounts': [sa('team-a', 'ci', { 'pipeline-rbac.io/identity': 'true' })],
      '/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings': [
        { metadata: { name: 'x', namespace: 'team-a' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'robot', namespace: 'hidden' }] },
      ],
    },
    (path) => (forbiddenEverywhere.has(path) || path.startsWith('/api/v1/namespaces/hidden/') || path.startsWith('/apis/rbac.authorization.k8s.io/v1/namespaces/hidden/') || path === '/api/v1/namespaces/team-a/secrets' ? 403 : undefined),
  );
  const snap = await fetchSnapshot(fake, { fallbackNamespaces: ['team-a'] });
  assert.equal(snap.clusterWide, false);
  // team-a from the fallback, hidden discovered from the binding's subject.
  assert.deepEqual(snap.namespaces, ['hidden', 'team-a']);
  assert.equal(snap.knownNamespaces, undefined);
  assert.deepEqual(snap.serviceAccounts.map((s) => s.metadata.name), ['ci']);
  assert.ok(snap.readable.includes('serviceaccounts/team-a'));
  assert.ok(snap.readable.includes('rolebindings/team-a'));
  assert.ok(!snap.readable.includes('secrets/team-a'));
  assert.ok(!snap.readable.includes('serviceaccounts/hidden'));
  const hidden = snap.problems.filter((p) => p.namespace === 'hidden');
  assert.deepEqual(hidden.map((p) => p.resource).sort(), ['rolebindings', 'roles', 'secrets', 'serviceaccounts']);
  assert.ok(hidden.every((p) => p.kind === 'forbidden' && /says 403/.test(p.message)));
  // One problem per resource and namespace even though two Secret lists failed.
  assert.equal(snap.problems.filter((p) => p.namespace === 'team-a' && p.resource === 'secrets').length, 1);
  assert.ok(snap.problems.some((p) => p.resource === 'clusterroles' && p.namespace === undefined));
});

test('explicit namespaces are listed per namespace, never cluster-wide', async () => {
  const fake = new FakeLists({ '/api/v1/namespaces/team-b/serviceaccounts': [sa('team-b', 'x')] });
  const snap = await fetchSnapshot(fake, { namespaces: ['team-b'] });
  assert.deepEqual(snap.namespaces, ['team-b']);
  assert.ok(!fake.calls.some((c) => /^\/api\/v1\/(serviceaccounts|secrets|namespaces)\?/.test(c.path)));
  assert.ok(snap.readable.includes('secrets/team-b'));
  assert.equal(snap.clusterWide, false);
});

test('an expired continue token (410) restarts the list once; 401 and unreachable are fatal', async () => {
  let gone = true;
  const fake = new FakeLists({ '/api/v1/serviceaccounts': Array.from({ length: 4 }, (_, i) => sa('a', `s${i}`)) }, (path, cont) => {
    if (path === '/api/v1/serviceaccounts' && cont && gone) {
      gone = false;
      return 410;
    }
    return undefined;
  });
  const snap = await fetchSnapshot(fake, { pageSize: 3 });
  assert.equal(snap.serviceAccounts.length, 4, 'no duplicates from the aborted first pass');

  const unauthorized = new FakeLists({}, () => 401);
  await assert.rejects(fetchSnapshot(unauthorized), (err: unknown) => err instanceof LiveError && err.kind === 'unauthorized');
  const down: JsonGetter = {
    getJson: async (_p, _a, what) => {
      throw toLiveError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), what);
    },
  };
  await assert.rejects(fetchSnapshot(down), (err: unknown) => err instanceof LiveError && err.kind === 'unreachable');
});
