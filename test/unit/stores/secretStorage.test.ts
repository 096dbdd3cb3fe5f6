import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretStorageStore, type SecretStorageBackend } from '../../../server/src/core/stores/secretStorage';
import { StoreError } from '../../../server/src/core/stores/secretStore';
import { sampleKubeconfig } from '../../fakes/kubeconfig';

class MapBackend implements SecretStorageBackend {
  readonly map = new Map<string, string>();
  failWith: string | undefined;
  async get(key: string) {
    if (this.failWith) throw new Error(this.failWith);
    return this.map.get(key);
  }
  async store(key: string, value: string) {
    if (this.failWith) throw new Error(this.failWith);
    this.map.set(key, value);
  }
  async delete(key: string) {
    this.map.delete(key);
  }
}

describe('VS Code SecretStorage store (backend interface)', () => {
  it('stores, updates, reports and deletes the entry', async () => {
    const backend = new MapBackend();
    const s = new SecretStorageStore(backend, 'pipeline-rbac/team-a/ci');
    const kc = sampleKubeconfig();
    assert.equal((await s.put(kc.text)).action, 'created');
    assert.equal(backend.map.get('pipeline-rbac/team-a/ci'), kc.text);
    assert.equal((await s.put('value-123')).action, 'updated');
    assert.equal(await s.exists(), true);
    await s.delete();
    assert.equal(await s.exists(), false);
    assert.match(s.describe(), /SecretStorage entry "pipeline-rbac\/team-a\/ci"/);
  });

  it('scrubs the value from backend errors', async () => {
    const backend = new MapBackend();
    const kc = sampleKubeconfig();
    backend.failWith = `keychain refused ${kc.token}`;
    await assert.rejects(new SecretStorageStore(backend, 'k').put(kc.text), (e: StoreError) => {
      assert.equal(e.code, 'server');
      assert.match(e.message, /could not read "k": keychain refused \[REDACTED\]/);
      return true;
    });
    assert.throws(() => new SecretStorageStore(backend, ' ').validate('value-123'), { code: 'invalid' });
  });
});
