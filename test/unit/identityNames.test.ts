import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration, InvalidInputError, parseDuration, checkServiceAccountName, checkNamespace } from '../../server/src/core/lifecycle/names';
import { grantedSeconds, shortenedWarning } from '../../server/src/core/lifecycle/token';
import { fixFor, preflight, requiredPermissions, serverWarnings } from '../../server/src/core/lifecycle/preflight';
import { formatAudit } from '../../server/src/core/lifecycle/audit';
import { FakeCluster } from './identityFakes';

describe('durations', () => {
  test('Go-style durations with days, bare seconds', () => {
    assert.equal(parseDuration('720h'), 720 * 3600);
    assert.equal(parseDuration('30d'), 30 * 86400);
    assert.equal(parseDuration('1h30m'), 5400);
    assert.equal(parseDuration('600'), 600);
    assert.equal(parseDuration('1d12h'), 129600);
  });
  test('rejects garbage and less than 10 minutes', () => {
    assert.throws(() => parseDuration('5m'), /10 minutes/);
    assert.throws(() => parseDuration('1 day'), InvalidInputError);
    assert.throws(() => parseDuration('-1h'), InvalidInputError);
    assert.throws(() => parseDuration('h'), InvalidInputError);
  });
  test('formatDuration', () => {
    assert.equal(formatDuration(30 * 86400), '30d');
    assert.equal(formatDuration(129600), '1d12h');
    assert.equal(formatDuration(600), '10m');
  });
});

describe('names', () => {
  test('ServiceAccount and namespace names', () => {
    assert.doesNotThrow(() => checkServiceAccountName('ci-deploy.prod'));
    assert.throws(() => checkServiceAccountName('CI'), InvalidInputError);
    assert.throws(() => checkServiceAccountName('-x'), InvalidInputError);
    assert.throws(() => checkNamespace('team.a'), InvalidInputError);
  });
});

describe('token lifetime read-back', () => {
  const jwt = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;
  test('uses exp - iat of the JWT (server clock)', () => {
    assert.equal(grantedSeconds(jwt({ iat: 1000, exp: 1000 + 86400 }), new Date(0), new Date(0)), 86400);
  });
  test('falls back to the expiration timestamp', () => {
    assert.equal(grantedSeconds('opaque', new Date(3_600_000), new Date(0)), 3600);
  });
  test('warns only when the server granted clearly less', () => {
    assert.equal(shortenedWarning(86400, 86400 - 30, 'x'), undefined);
    const w = shortenedWarning(30 * 86400, 2 * 86400, '2026-01-03T00:00:00.000Z');
    assert.match(w ?? '', /shortened the token lifetime from 30d to 2d/);
  });
});

describe('preflight', () => {
  test('create needs SA/Role/RoleBinding writes, token request, secrets create/delete and rollback deletes', () => {
    const needs = requiredPermissions({ operation: 'create', tokenKind: 'request' }).map((n) => `${n.verb} ${n.resource}${n.subresource ? `/${n.subresource}` : ''}`);
    for (const n of ['create serviceaccounts', 'patch serviceaccounts', 'create roles', 'create rolebindings', 'create serviceaccounts/token', 'create secrets', 'delete secrets', 'delete serviceaccounts']) {
      assert.ok(needs.includes(n), n);
    }
    assert.ok(!needs.includes('get secrets'), 'a bound token never reads a Secret');
    const legacy = requiredPermissions({ operation: 'create', tokenKind: 'secret' }).map((n) => `${n.verb} ${n.resource}`);
    assert.ok(legacy.includes('get secrets'));
    const existing = requiredPermissions({ operation: 'create', createsRole: false }).map((n) => `${n.verb} ${n.resource}`);
    assert.ok(!existing.includes('create roles'));
  });

  test('reports what is missing with a Role and binding command as the fix', async () => {
    const cluster = new FakeCluster();
    cluster.denied = new Set(['get secrets', 'create serviceaccounts/token']);
    const ok = await preflight(cluster, { context: 'c', server: 'https://k8s.example.com', namespace: 'team-a' }, { operation: 'create', tokenKind: 'request' });
    assert.equal(ok.ok, false);
    assert.deepEqual(ok.missing.map((m) => `${m.verb} ${m.resource}/${m.subresource}`), ['create serviceaccounts/token']);
    assert.match(ok.fix ?? '', /resources:\n\s+- serviceaccounts\/token/);
    assert.match(ok.fix ?? '', /kubectl -n team-a create rolebinding pipeline-identity-manager --role=pipeline-identity-manager --user=developer/);
    const legacy = await preflight(cluster, { context: 'c', server: 'https://k8s.example.com', namespace: 'team-a' }, { operation: 'create', tokenKind: 'secret' });
    assert.deepEqual(legacy.missing.map((m) => `${m.verb} ${m.resource}`), ['get secrets']);
  });

  test('fix names a ServiceAccount subject with --serviceaccount', () => {
    const fix = fixFor([{ verb: 'create', group: '', resource: 'secrets', why: 'x', allowed: false }], 'ns', { username: 'system:serviceaccount:ops:bot', groups: [] });
    assert.match(fix, /--serviceaccount=ops:bot/);
  });

  test('a loopback server is flagged: a runner cannot reach it', () => {
    assert.equal(serverWarnings('https://127.0.0.1:6443').length, 1);
    assert.equal(serverWarnings('https://api.example.com').length, 0);
  });
});

describe('audit lines', () => {
  test('who, what, where, when as key="value" pairs', () => {
    const line = formatAudit({ action: 'create', actor: 'developer', identity: 'team-a/ci', context: 'dev', server: 'https://x', at: '2026-01-01T00:00:00.000Z', store: 'file /tmp/k', details: { tokenKind: 'request' } });
    assert.equal(line, 'audit: action="create" identity="team-a/ci" by="developer" context="dev" server="https://x" at="2026-01-01T00:00:00.000Z" store="file /tmp/k" tokenKind="request"');
  });
});
