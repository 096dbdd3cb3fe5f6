// What the demo's parts share (scripts/demo.mjs): paths, progress lines, what this run started (for the
// signal handler) and foreground/background process helpers.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// .e2e/demo for the interactive demo; --check runs in its own directory, removed at the end.
export let DEMO_DIR = join(ROOT, '.e2e', 'demo');
/** --check moves everything under .e2e/demo-check/<namespace>/ (a live binding: every module sees the change). */
export function setDemoDir(dir) {
  DEMO_DIR = dir;
}
export const VSIX = join(ROOT, 'dist', 'pipeline-rbac.vsix');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const CODE_SERVER_VERSION = '4.100.3'; // as in scripts/install-e2e-deps.sh
export const CHROMIUM = process.env.PIPELINE_RBAC_CHROMIUM ?? '/usr/bin/chromium';
export const RBAC = 'rbac.authorization.k8s.io';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'pipeline-rbac-demo' };

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
export const say = (line) => process.stderr.write(`demo [${elapsed()}] ${line}\n`);

// ------------------------------------------------------------------------------------------ state
// What this run started, so that a signal at any point stops exactly that.
export const state = {
  child: undefined, // a foreground child (build, install, `up`) to pass signals on to
  clusterLease: false, // we hold a lease on the cluster (PIPELINE_RBAC_CLUSTER_LEASE = our pid)
  clusterStartedHere: false,
  adminKubeconfig: undefined,
  namespace: undefined, // seeded namespace to delete when the cluster outlives us
  codeServerPid: undefined, // process group id
  browser: undefined,
  stopping: undefined,
};

export class Interrupted extends Error {}

// -------------------------------------------------------------------------------------- processes

/** Runs a command in the foreground; resolves with its exit code and (unless inherited) its output. */
export function run(cmd, args, { env = process.env, inherit = false, stdoutOnly = false, cwd = ROOT } = {}) {
  return new Promise((resolvePromise, reject) => {
    // Its own process group: a terminal Ctrl-C reaches only us, and we pass it on exactly once
    // (`up` treats a second SIGINT as "abort now" and would skip stopping what it started).
    const child = spawn(cmd, args, {
      cwd,
      env,
      detached: true,
      stdio: inherit ? ['ignore', 'inherit', 'inherit'] : stdoutOnly ? ['ignore', 'pipe', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    });
    state.child = child;
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      state.child = undefined;
      if (state.stopping) reject(new Interrupted());
      else resolvePromise({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}

export function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stopGroup(pgid, graceMs = 5_000) {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
  if (groupAlive(pgid)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {}
  }
  while (groupAlive(pgid)) await sleep(20);
}

export async function poll(what, probe, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    if (state.stopping) throw new Interrupted();
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      if (e.fatal) throw e;
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (${last.message})` : ''}`);
    await sleep(intervalMs);
  }
}

export const tail = (text, n = 25) => text.trimEnd().split('\n').slice(-n).join('\n');
