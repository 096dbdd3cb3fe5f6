// Cached cluster answers stay in use until their re-read lands: diagnostics built from them must not
// vanish for the moment a re-read takes (a person saw errors disappear and come back; an e2e step could read that).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TtlCache } from '../../server/src/core/live/ttlCache';

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
