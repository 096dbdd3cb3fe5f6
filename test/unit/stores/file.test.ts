import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile, mkdir, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { FileSecretStore } from '../../../server/src/core/stores/file';
import { StoreError } from '../../../server/src/core/stores/secretStore';
import { sampleKubeconfig } from '../../fakes/kubeconfig';

describe('file store', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pipeline-rbac-file-store-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const store = (path: string) => new FileSecretStore({ kind: 'file', path }, { cwd: dir });

  it('writes the kubeconfig with mode 0600 and replaces it atomically', async () => {
    const kc = sampleKubeconfig();
    const s = store('ci.kubeconfig');
    assert.equal(s.path, join(dir, 'ci.kubeconfig'));
    const first = await s.put(kc.text);
    assert.equal(first.action, 'created');
    assert.match(first.warnings[0]!, /plain text to .*ci\.kubeconfig \(mode 0600/);
    assert.equal(await readFile(s.path, 'utf8'), kc.text);
    assert.equal((await stat(s.path)).mode & 0o777, 0o600);
    // An existing file with wider permissions is replaced by a 0600 one.
    await chmod(s.path, 0o644);
    const kc2 = sampleKubeconfig();
    assert.equal((await s.put(kc2.text)).action, 'updated');
    assert.equal(await readFile(s.path, 'utf8'), kc2.text);
    assert.equal((await stat(s.path)).mode & 0o777, 0o600);
    assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'no temp files left');
    assert.equal(await s.exists(), true);
    await s.delete();
    assert.equal(await s.exists(), false);
    await s.delete(); // already gone
  });

  it('writes 0600 even under a permissive umask', async () => {
    const old = process.umask(0);
    try {
      const s = store('umask.kubeconfig');
      await s.put('value-123');
      assert.equal((await stat(s.path)).mode & 0o777, 0o600);
    } finally {
      process.umask(old);
    }
  });

  it('refuses to replace a symlink, a directory, or to write into a missing directory', async () => {
    const target = join(dir, 'elsewhere.txt');
    await writeFile(target, 'keep me');
    await symlink(target, join(dir, 'link.kubeconfig'));
    await assert.rejects(store('link.kubeconfig').put('value-123'), (e: StoreError) => e.code === 'invalid' && /symbolic link; refusing/.test(e.message));
    await assert.rejects(store('link.kubeconfig').delete(), { code: 'invalid' });
    assert.equal(await readFile(target, 'utf8'), 'keep me');
    await mkdir(join(dir, 'adir'));
    await assert.rejects(store('adir').put('value-123'), (e: StoreError) => e.code === 'invalid' && /not a regular file/.test(e.message));
    await assert.rejects(store('missing/dir/kc').put('value-123'), (e: StoreError) => e.code === 'not-found' && /directory does not exist/.test(e.message));
    await assert.rejects(store('empty.kubeconfig').put(''), { code: 'invalid' });
  });

  it('reports an unwritable directory as forbidden, without the value', async () => {
    const ro = join(dir, 'readonly');
    await mkdir(ro, { mode: 0o500 });
    // root ignores permission bits: make the directory immutable instead (EPERM).
    const asRoot = process.getuid?.() === 0;
    if (asRoot) assert.equal(spawnSync('chattr', ['+i', ro]).status, 0, 'chattr +i needs an ext4/xfs/btrfs temp dir');
    try {
      const kc = sampleKubeconfig();
      await assert.rejects(store('readonly/kc').put(kc.text), (e: StoreError) => {
        assert.equal(e.code, 'forbidden');
        assert.match(e.message, /Permission denied to write .*readonly\/kc \((EACCES|EPERM)\)\.$/);
        assert.ok(!e.message.includes(kc.token));
        return true;
      });
      assert.deepEqual(await readdir(ro), []);
    } finally {
      if (asRoot) spawnSync('chattr', ['-i', ro]);
    }
  });
});
