// Synchronous start/stop of the shared test cluster for test runners (scripts/test.mjs, harness.ts).
// Several test runs may share one cluster (several people or agents testing in one checkout):
// each run holds a lease (.cluster/leases/<pid>, written by `up` under its lock), and a stop
// requested while others still hold leases is deferred to the last of them (at its exit).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const STATE_DIR = process.env.PIPELINE_RBAC_CLUSTER_DIR
  ? resolve(process.env.PIPELINE_RBAC_CLUSTER_DIR)
  : join(HERE, '..', '..', '.cluster');
const KEYS = ['KUBECONFIG_ADMIN', 'KUBECONFIG_DEVELOPER', 'KUBECONFIG_VIEWER', 'PIPELINE_RBAC_OIDC_ISSUER', 'PIPELINE_RBAC_OIDC_ISSUER_GITLAB'];

let exitHookInstalled = false;

function runScript(name, args, env = process.env) {
  return spawnSync(process.execPath, [join(HERE, name), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env,
  });
}

/**
 * Starts the cluster (building the binary on first use) or reuses a healthy one.
 * Returns the three kubeconfig paths, the two CI OIDC issuer URLs and whether this call started the cluster.
 * @returns {{ env: import('./lifecycle.d.mts').ClusterEnv, startedHere: boolean }}
 */
export function startCluster() {
  const starter = randomBytes(8).toString('hex');
  const result = runScript('up', [], {
    ...process.env,
    PIPELINE_RBAC_CLUSTER_STARTER: starter,
    PIPELINE_RBAC_CLUSTER_LEASE: String(process.pid),
  });
  if (result.error) throw new Error(`test/cluster/up could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`test/cluster/up failed (exit ${result.status ?? result.signal}); see its output above`);
  const env = {};
  for (const line of result.stdout.split('\n')) {
    const m = /^((?:KUBECONFIG|PIPELINE_RBAC_OIDC)_[A-Z_]+)=(.+)$/.exec(line);
    if (m && KEYS.includes(m[1])) env[m[1]] = m[2];
  }
  const missing = KEYS.filter((k) => !env[k]);
  if (missing.length) throw new Error(`test/cluster/up did not print ${missing.join(', ')}`);
  let startedHere = false;
  try {
    startedHere = JSON.parse(readFileSync(join(STATE_DIR, 'state.json'), 'utf8')).starter === starter;
  } catch {}
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Honour a stop that an earlier user deferred to us; a no-op when we already released.
    process.on('exit', () => {
      if (existsSync(join(STATE_DIR, 'leases', String(process.pid)))) {
        runScript('down', ['--release', String(process.pid), '--only-if-requested']);
      }
    });
  }
  return { env, startedHere };
}

/** Stops the cluster now, unless another live test run still uses it (then the last one stops it). */
export function stopClusterNow() {
  const result = runScript('down', ['--release', String(process.pid)]);
  if (result.status !== 0) throw new Error(`test/cluster/down failed (exit ${result.status ?? result.signal})`);
}
