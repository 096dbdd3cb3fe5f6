// Cached cluster and workspace answers stay in use until their re-read lands: diagnostics built from them must not
// vanish for the moment a re-read takes (a person saw errors disappear and come back; an e2e step could read that).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { builtinCatalog } from '../../server/src/engine/catalog/apiCatalog';
import { TtlCache } from '../../server/src/live/ttlCache';
import { ManifestIndex } from '../../server/src/lsp/manifestIndex';
import { WorkspaceRoles } from '../../server/src/lsp/workspaceRoles';
import { DEFAULT_SETTINGS } from '../../server/src/shared/settings';

test('an expired cache entry is not fresh (a re-read is due) but is still served until the re-read replaces it', async () => {
  let now = 0;
  const cache = new TtlCache<string>(1_000, () => now);
  await cache.load('k', async () => 'first');
  now = 2_000;
  assert.equal(cache.has('k'), false);
  assert.equal(cache.peek('k'), undefined);
  assert.equal(cache.peekStale('k'), 'first');
  let release!: (v: string) => void;
  const reread = cache.load('k', () => new Promise<string>((r) => (release = r)));
  assert.equal(cache.peekStale('k'), 'first', 'served while the re-read is in flight');
  release('second');
  assert.equal(await reread, 'second');
  assert.equal(cache.peekStale('k'), 'second');
  cache.clear();
  assert.equal(cache.peekStale('k'), undefined, 'an explicit clear forgets');
});

test('after a file change the manifests and the workspace roles answer from the last read until they are read again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-rbac-stale-'));
  writeFileSync(join(dir, 'deploy.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n');
  writeFileSync(join(dir, 'role.yaml'), 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: []\n');
  const settings = { ...DEFAULT_SETTINGS, manifests: ['*.yaml'] };
  const manifests = new ManifestIndex();
  const roles = new WorkspaceRoles();
  manifests.setWorkspaceFolders([pathToFileURL(dir).href]);
  roles.setWorkspaceFolders([pathToFileURL(dir).href]);
  assert.equal(await manifests.load(settings), true);
  assert.equal(await roles.load('default'), true);
  const before = manifests.needed(settings, builtinCatalog());
  assert.ok(before, 'the manifests were read');
  assert.ok(roles.resolver()?.('Role', 'r', 'a'), 'the role was read');

  manifests.invalidate();
  roles.invalidate();
  assert.deepEqual(manifests.needed(settings, builtinCatalog()), before, 'still the last read');
  assert.ok(roles.resolver()?.('Role', 'r', 'a'), 'still the last read');

  writeFileSync(join(dir, 'role.yaml'), 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: other, namespace: a}\nrules: []\n');
  assert.equal(await manifests.load(settings), true, 're-read after the change');
  assert.equal(await roles.load('default'), true, 're-read after the change');
  assert.equal(roles.resolver()?.('Role', 'r', 'a'), undefined, 'the new read replaced the old');
  assert.ok(roles.resolver()?.('Role', 'other', 'a'));
  assert.equal(await roles.load('default'), false, 'nothing to re-read until the next change');
});
