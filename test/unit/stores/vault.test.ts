import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VaultKvStore, type VaultStoreOptions } from '../../../server/src/core/stores/vault';
import { StoreError } from '../../../server/src/core/stores/secretStore';
import type { VaultTarget } from '../../../server/src/core/stores/target';
import { VaultFake } from '../../fakes/vault';
import { closedPortUrl } from '../../fakes/httpFake';
import { sampleKubeconfig } from '../../fakes/kubeconfig';

const TOKEN = 'hvs.fakeVaultTokenForTests0123';

describe('Vault KV v2 store', () => {
  let fake: VaultFake;
  before(async () => {
    fake = await VaultFake.start({ token: TOKEN, mounts: ['kv', 'secret'] });
  });
  after(() => fake.close());

  const store = (t: Partial<VaultTarget> = {}, o: Partial<VaultStoreOptions> = {}) =>
    new VaultKvStore({ kind: 'vault', mount: 'kv', path: 'ci/team-a/deployer', ...t }, { token: TOKEN, address: fake.url, ...o });

  it('writes with check-and-set, creating then updating, and keeps other keys', async () => {
    const kc = sampleKubeconfig();
    const before = fake.requests.length;
    const first = await store().put(kc.text);
    assert.deepEqual([first.action, first.version], ['created', 1]);
    assert.deepEqual(fake.secret('kv', 'ci/team-a/deployer'), { kubeconfig: kc.text });
    const [get, post] = fake.requests.slice(before);
    assert.equal(`${get!.method} ${get!.rawPath}`, 'GET /v1/kv/data/ci/team-a/deployer');
    assert.equal(`${post!.method} ${post!.rawPath}`, 'POST /v1/kv/data/ci/team-a/deployer');
    assert.deepEqual((post!.json as { options: unknown }).options, { cas: 0 });
    assert.equal(post!.headers['x-vault-token'], TOKEN);

    fake.write('kv', 'ci/team-a/deployer', { kubeconfig: kc.text, owner: 'team-a' });
    const kc2 = sampleKubeconfig();
    const second = await store().put(kc2.text);
    assert.deepEqual([second.action, second.version], ['updated', 3]);
    assert.deepEqual((fake.requests.at(-1)!.json as { options: unknown }).options, { cas: 2 });
    assert.deepEqual(fake.secret('kv', 'ci/team-a/deployer'), { kubeconfig: kc2.text, owner: 'team-a' });
    assert.equal(await store().exists(), true);
  });

  it('reports a concurrent write as a conflict and overwrites nothing', async () => {
    fake.write('kv', 'race', { kubeconfig: 'first-writer-value' });
    let injected = false;
    fake.server.onRequest((req) => {
      // Another writer lands between our read and our write.
      if (!injected && req.method === 'POST' && req.rawPath === '/v1/kv/data/race') {
        injected = true;
        fake.write('kv', 'race', { kubeconfig: 'other-writer-value' });
      }
    });
    await assert.rejects(store({ path: 'race' }).put(sampleKubeconfig().text), (e: StoreError) => {
      assert.equal(e.code, 'conflict');
      assert.equal(e.status, 400);
      assert.match(e.message, /^kv\/race changed while it was being written \(check-and-set expected version 1\); nothing was overwritten/);
      return true;
    });
    assert.deepEqual(fake.secret('kv', 'race'), { kubeconfig: 'other-writer-value' });
    // A re-run reads the new version and succeeds.
    assert.equal((await store({ path: 'race' }).put('third-value-123')).version, 3);
  });

  it('writes over a soft-deleted latest version with its version number as cas', async () => {
    fake.write('kv', 'deleted', { kubeconfig: 'old-value-123' });
    fake.softDelete('kv', 'deleted');
    const res = await store({ path: 'deleted' }).put('new-value-123');
    assert.deepEqual([res.action, res.version], ['created', 2]);
  });

  it('sends the namespace header and uses a custom data key', async () => {
    const ns = await VaultFake.start({ token: TOKEN, mounts: ['kv'], namespace: 'team-a/' });
    try {
      const s = new VaultKvStore({ kind: 'vault', mount: 'kv', path: 'app' }, { token: TOKEN, address: ns.url, namespace: 'team-a/', field: 'config' });
      assert.match(s.describe(), /\(namespace team-a\/\): KV v2 secret kv\/app, key "config"/);
      await s.put('value-123');
      assert.deepEqual(ns.secret('kv', 'app'), { config: 'value-123' });
      assert.ok(ns.requests.every((r) => r.headers['x-vault-namespace'] === 'team-a/'));
    } finally {
      await ns.close();
    }
  });

  it('delete removes the whole secret, or only our key when others remain', async () => {
    await store({ path: 'del/alone' }).put('value-123');
    await store({ path: 'del/alone' }).delete();
    assert.equal(fake.version('kv', 'del/alone'), 0, 'metadata deleted: no versions left');
    assert.equal(fake.requests.at(-1)!.rawPath, '/v1/kv/metadata/del/alone');
    await store({ path: 'del/alone' }).delete(); // already gone
    fake.write('kv', 'del/shared', { kubeconfig: 'value-123', other: 'keep-me' });
    await store({ path: 'del/shared' }).delete();
    assert.deepEqual(fake.secret('kv', 'del/shared'), { other: 'keep-me' });
    assert.equal(await store({ path: 'del/shared' }).exists(), false);
  });

  it('rejects bad targets before any request', async () => {
    const before = fake.requests.length;
    assert.throws(() => store({ path: 'a//b' }).validate('value-123'), /not a Vault secret path/);
    assert.throws(() => store({ path: '../sys' }).validate('value-123'), /not a Vault secret path/);
    assert.throws(() => store({}, { address: 'http://vault.example.com:8200' }).validate('value-123'), /plain http/);
    assert.throws(() => store({}, { address: 'vault:8200' }).validate('value-123'), { code: 'invalid' });
    assert.throws(() => store({}, { token: '' }).validate('value-123'), { code: 'auth' });
    assert.throws(() => store().validate(''), /empty/);
    await assert.rejects(store({ path: 'a//b' }).put('value-123'), { code: 'invalid' });
    assert.equal(fake.requests.length, before);
  });

  it('turns 401, 403, 404, 400 and 5xx into clear errors', async () => {
    await assert.rejects(store({}, { token: 'hvs.wrong-token-value' }).put('value-123'), (e: StoreError) => {
      assert.equal(e.code, 'forbidden');
      assert.match(e.message, /^Vault at 127\.0\.0\.1:\d+ refused to read kv\/ci\/team-a\/deployer \(403 Forbidden: permission denied\)\. The token needs a policy granting read, create and update on "kv\/data\/ci\/team-a\/deployer"/);
      return true;
    });
    fake.server.failWith({ status: 401, body: { errors: ['missing client token'] } });
    await assert.rejects(store().put('value-123'), (e: StoreError) => e.code === 'auth' && /rejected the token \(401 Unauthorized: missing client token\)/.test(e.message));
    await assert.rejects(store({ mount: 'nomount' }).put('value-123'), (e: StoreError) => {
      assert.equal(e.code, 'not-found');
      assert.match(e.message, /^Nothing answers at nomount\/data\/ci\/team-a\/deployer: is "nomount" a KV version 2 secrets engine mounted in this Vault\? \(404: no handler for route/);
      return true;
    });
    fake.server.failWith({ status: 400, body: { errors: ['invalid data'] }, method: 'POST' });
    await assert.rejects(store().put('value-123'), (e: StoreError) => e.code === 'invalid' && /\(400: invalid data\)/.test(e.message));
    fake.server.failWith({ status: 503, body: { errors: ['Vault is sealed'] } });
    await assert.rejects(store().put('value-123'), (e: StoreError) => e.code === 'server' && /\(503: Vault is sealed\); try again later/.test(e.message));
    const down = new VaultKvStore({ kind: 'vault', mount: 'kv', path: 'x' }, { token: TOKEN, address: await closedPortUrl() });
    await assert.rejects(down.put('value-123'), (e: StoreError) => e.code === 'network' && /ECONNREFUSED/.test(e.message));
  });
});
