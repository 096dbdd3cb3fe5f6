/**
 * The one-command demo (scripts/demo.mjs, `npm start`) in its non-interactive mode: it packages the
 * extension, starts or reuses the test cluster, seeds a namespace with identities, serves code-server
 * with the examples workspace, checks in headless Chromium that the extension reaches the cluster as
 * developer and shows findings, then stops what it started. Afterwards nothing of it may be left:
 * no process, no seeded namespace, no lease on the cluster, no working directory.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { apiStatus, clusterKubeconfigs, kubeConfigFor, uniqueName } from '../cluster/harness';
import { e2eTools } from './harness';
import { REPO_ROOT } from './support/prerequisites';

const TIMEOUT_MS = 10 * 60_000;

function runDemo(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'demo.mjs'), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      // SIGTERM lets the demo stop what it started; the test then fails on the exit status.
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    }, TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid ?? 0 });
    });
  });
}

/** Pids whose command line mentions `needle`. */
function processesMentioning(needle: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) out.push(`${pid}: ${cmd.slice(0, 160)}`);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

test('npm start --check: the demo serves a working workbench and leaves nothing behind', { timeout: TIMEOUT_MS + 60_000 }, async (t) => {
  e2eTools(); // code-server and Chromium (the demo would install them; the suite expects them present)
  clusterKubeconfigs(); // the cluster runs (started by the test runner or here): the demo reuses it
  const namespace = uniqueName('demo-check');
  const started = Date.now();
  const res = await runDemo(['--check', '--namespace', namespace]);
  t.diagnostic(`demo --check took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const output = `--- stdout ---\n${res.stdout}\n--- stderr ---\n${res.stderr}`;
  assert.equal(res.code, 0, output);
  for (const line of res.stderr.split('\n').filter((l) => /packaged|workbench|extension is live|check passed/.test(l))) t.diagnostic(line);

  // What a person reads: the URL on loopback and what to try.
  assert.match(res.stdout, /Pipeline RBAC demo is running: http:\/\/127\.0\.0\.1:\d+\/\?folder=/, output);
  assert.match(res.stdout, /What to try:/);
  assert.match(res.stdout, /ci\/too-broad-role\.yaml/);
  // What the check saw.
  assert.match(res.stderr, /HTTP 200, the workbench page/, output);
  assert.match(res.stderr, new RegExp(`developer lists the 3 seeded identities of ${namespace}`), output);
  // The welcome's "Verify Pipeline Identity..." step succeeds: web-deployer may deploy every app/ manifest.
  assert.match(res.stderr, /web-deployer verifies against app\/\*\.yaml: 5 of 5 objects allowed; 0 other requests denied\./, output);
  assert.match(res.stderr, /the extension is live: status bar "[^"]+ · developer", error squiggles shown/, output);
  assert.match(res.stderr, /check passed/, output);

  // Nothing left: processes, working directory, lease, namespace (deleted or being deleted).
  const workDir = join(REPO_ROOT, '.e2e', 'demo-check', namespace);
  assert.deepEqual(processesMentioning(workDir), []);
  assert.equal(existsSync(workDir), false, `${workDir} removed`);
  assert.equal(existsSync(join(REPO_ROOT, '.cluster', 'leases', String(res.pid))), false, 'the demo released its cluster lease');
  const core = kubeConfigFor('admin').makeApiClient(CoreV1Api);
  try {
    const ns = await core.readNamespace({ name: namespace });
    assert.equal(ns.status?.phase, 'Terminating', `namespace ${namespace} is being deleted`);
  } catch (err) {
    assert.equal(apiStatus(err)?.code, 404, `namespace ${namespace}: ${String(err)}`);
  }
});
