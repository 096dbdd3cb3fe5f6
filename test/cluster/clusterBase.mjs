// What the test cluster's modules share: where its state lives (see the layout in cluster.mjs), how it speaks,
// and its error type.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MODULE_DIR } from './build.mjs';

export const REPO_ROOT = resolve(MODULE_DIR, '..', '..');
// PIPELINE_RBAC_CLUSTER_DIR runs an independent cluster elsewhere (e.g. a second checkout's worth).
export const STATE_DIR = process.env.PIPELINE_RBAC_CLUSTER_DIR
  ? resolve(process.env.PIPELINE_RBAC_CLUSTER_DIR)
  : join(REPO_ROOT, '.cluster');
export const STATE_FILE = join(STATE_DIR, 'state.json');
export const LOCK_FILE = join(STATE_DIR, 'lock');
export const LEASE_DIR = join(STATE_DIR, 'leases');
export const STOP_REQUESTED = join(STATE_DIR, 'stop-requested');
export const PKI = join(STATE_DIR, 'pki');
export const LOG_DIR = join(STATE_DIR, 'logs');

export const say = (line) => process.stderr.write(`test cluster: ${line}\n`);
export const secs = (ms) => `${(ms / 1000).toFixed(1)}s`;

export class ClusterError extends Error {
  /** @param {string} message @param {string | undefined} component whose log explains it */
  constructor(message, component) {
    super(message);
    this.component = component;
  }
}

export function readFileOr(path, fallback) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

export function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}
