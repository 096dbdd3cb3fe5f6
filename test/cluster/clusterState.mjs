// state.json, the up/down lock and the leases of test runs using the cluster.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterError, LEASE_DIR, LOCK_FILE, pidAlive, readFileOr, say, STATE_DIR, STATE_FILE } from './clusterBase.mjs';

export function readState() {
  try {
    return JSON.parse(readFileSync(STATE_FILE, 'utf8'));
  } catch {
    return undefined;
  }
}

export function writeState(state) {
  const tmp = `${STATE_FILE}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, STATE_FILE);
}

export async function withLock(fn) {
  mkdirSync(STATE_DIR, { recursive: true });
  let announced = false;
  const deadline = Date.now() + 45 * 60_000; // covers a cold binary build by the holder
  for (;;) {
    try {
      const fd = openSync(LOCK_FILE, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if (err.code === 'ENOENT') {
        mkdirSync(STATE_DIR, { recursive: true });
        continue;
      }
      if (err.code !== 'EEXIST') throw err;
      const holder = Number(readFileOr(LOCK_FILE, '0'));
      if (holder && !pidAlive(holder)) {
        rmSync(LOCK_FILE, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new ClusterError(`gave up waiting for ${LOCK_FILE} (held by pid ${holder})`);
      if (!announced) say(`waiting for another up/down (pid ${holder}) to finish...`);
      announced = true;
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    releaseLock();
  }
}

/** Drops our lock and, when nothing else is left, the empty .cluster/ directory. */
export function releaseLock() {
  if (readFileOr(LOCK_FILE, '') === String(process.pid)) rmSync(LOCK_FILE, { force: true });
  try {
    rmdirSync(STATE_DIR); // fails (fine) when not empty, e.g. a waiter already took the lock
  } catch {}
}

export function liveLeases() {
  if (!existsSync(LEASE_DIR)) return [];
  return readdirSync(LEASE_DIR)
    .map(Number)
    .filter((pid) => {
      if (pidAlive(pid)) return true;
      rmSync(join(LEASE_DIR, String(pid)), { force: true });
      return false;
    });
}
