#!/usr/bin/env node
// The one-command demo (`npm start`): builds and packages the extension, installs code-server and
// Chromium when missing, starts (or reuses) the test cluster, seeds a demo namespace with pipeline
// identities and a risky legacy one, and serves VS Code (code-server) on 127.0.0.1 with the
// extension and a scratch copy of examples/ as the workspace, as the cluster's `developer` user.
// Ctrl-C (SIGINT) or SIGTERM stops code-server and, when this run started it, the cluster.
//
//   node scripts/demo.mjs [--port N] [--namespace NS] [--check]
//     --port N        serve on 127.0.0.1:N (default: a free port)
//     --namespace NS  the namespace seeded with identities (default: demo; --check: a unique one)
//     --check         start everything, verify the workbench in headless Chromium (the extension
//                     activates, reaches the cluster as developer, shows findings; the identities
//                     view lists the seeded identities), stop, exit 0
//     --doc-images D  with --check: also save the identities view as D/identities.png (README)
//
// Everything it writes lives in .e2e/demo/ (git-ignored). Env: PIPELINE_RBAC_KEEP_CLUSTER=1 keeps
// a cluster this run started; PIPELINE_RBAC_CACHE / XDG_CACHE_HOME as for install-e2e-deps.sh.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHROMIUM, CODE_SERVER_VERSION, DEMO_DIR, groupAlive, Interrupted, ROOT, run, say, setDemoDir, state, stopGroup, tail, VSIX } from './demo/common.mjs';
import { seedNamespace, writeDemoKubeconfig } from './demo/seed.mjs';
import { checkWorkbench, printWelcome, startCodeServer } from './demo/workbench.mjs';

function parseCli() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      namespace: { type: 'string' },
      check: { type: 'boolean', default: false },
      'doc-images': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 18).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
    process.exit(0);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not "${values.port}"`);
  const namespace = values.namespace ?? (values.check ? `demo-check-${randomBytes(3).toString('hex')}` : 'demo');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63) throw new Error(`--namespace: "${namespace}" is not a DNS label`);
  if (values['doc-images'] && !values.check) throw new Error('--doc-images needs --check');
  return { port, namespace, check: values.check, docImages: values['doc-images'] ? resolve(values['doc-images']) : undefined };
}

// ---------------------------------------------------------------------------------------- steps

async function buildAndPackage() {
  say('building and packaging the extension (npm run package)...');
  const started = Date.now();
  const res = await run('npm', ['run', '--silent', 'package']);
  if (res.code !== 0 || !existsSync(VSIX)) throw new Error(`npm run package failed (exit ${res.code}):\n${tail(res.output)}`);
  say(`packaged ${VSIX.slice(ROOT.length + 1)} (${(statSync(VSIX).size / 1024 / 1024).toFixed(2)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function codeServerBin() {
  if (process.env.PIPELINE_RBAC_CODE_SERVER) return { bin: process.env.PIPELINE_RBAC_CODE_SERVER, ready: existsSync(process.env.PIPELINE_RBAC_CODE_SERVER) };
  const cache = process.env.PIPELINE_RBAC_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pipeline-rbac');
  const prefix = join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const bin = join(prefix, 'node_modules', '.bin', 'code-server');
  return { bin, ready: existsSync(bin) && existsSync(join(prefix, '.installed')) };
}

async function ensureE2eDeps(needChromium) {
  const cs = codeServerBin();
  if (cs.ready && (!needChromium || existsSync(CHROMIUM))) return cs.bin;
  say('installing code-server and Chromium (scripts/install-e2e-deps.sh, a few minutes the first time)...');
  const res = await run('bash', [join(ROOT, 'scripts', 'install-e2e-deps.sh')], { inherit: true });
  const again = codeServerBin();
  if (res.code !== 0 || !again.ready) throw new Error(`scripts/install-e2e-deps.sh failed (exit ${res.code}); see its output above`);
  if (needChromium && !existsSync(CHROMIUM)) throw new Error(`Chromium is still missing at ${CHROMIUM}`);
  return again.bin;
}

/** helm and kustomize for the example chart and overlay, built once from their pinned Go modules (scripts/tools/). */
async function ensureRenderTools() {
  const { ensureTools } = await import('./tools/build-tools.mjs');
  const paths = await ensureTools(undefined, { log: (line) => say(line) });
  say(`helm and kustomize ready (${Object.values(paths).join(', ')})`);
}

/** test/cluster/up with a lease for this process; its progress (and a first-time build) shows on stderr. */
async function startCluster() {
  say('starting the test cluster (test/cluster/up; the first run builds Kubernetes, ~7 min on 2 cores)...');
  const starter = randomBytes(8).toString('hex');
  const env = { ...process.env, PIPELINE_RBAC_CLUSTER_STARTER: starter, PIPELINE_RBAC_CLUSTER_LEASE: String(process.pid) };
  state.clusterLease = true; // `up` may write the lease at any point from now on
  const res = await run(process.execPath, [join(ROOT, 'test', 'cluster', 'up')], { env, stdoutOnly: true });
  if (res.code !== 0) throw new Error(`test/cluster/up failed (exit ${res.code}); see its output above`);
  const kubeconfigs = {};
  for (const m of res.output.matchAll(/^KUBECONFIG_(ADMIN|DEVELOPER|VIEWER)=(.+)$/gm)) kubeconfigs[m[1].toLowerCase()] = m[2];
  if (!kubeconfigs.admin || !kubeconfigs.developer) throw new Error('test/cluster/up did not print the kubeconfig paths');
  try {
    const stateFile = join(process.env.PIPELINE_RBAC_CLUSTER_DIR ? resolve(process.env.PIPELINE_RBAC_CLUSTER_DIR) : join(ROOT, '.cluster'), 'state.json');
    state.clusterStartedHere = JSON.parse(readFileSync(stateFile, 'utf8')).starter === starter;
  } catch {}
  state.adminKubeconfig = kubeconfigs.admin;
  say(state.clusterStartedHere ? 'cluster started (this run stops it on exit)' : 'reusing the running cluster (left running on exit)');
  return kubeconfigs;
}

/** Releases our lease; stops the cluster when we started it and nobody else uses it (see test/cluster/README.md). */
async function releaseCluster() {
  if (!state.clusterLease) return;
  state.clusterLease = false;
  const keep = process.env.PIPELINE_RBAC_KEEP_CLUSTER && state.clusterStartedHere;
  const args = ['--release', String(process.pid)];
  if (!state.clusterStartedHere || keep) args.push('--only-if-requested');
  if (state.clusterStartedHere && !keep) say('stopping the test cluster...');
  await new Promise((res) => {
    const child = spawn(process.execPath, [join(ROOT, 'test', 'cluster', 'down'), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', res);
    child.on('error', res);
  });
}

// ----------------------------------------------------------------------------------------- cleanup

async function cleanup() {
  // A foreground child that got the signal (e.g. `up` stopping what it started) finishes first.
  const child = state.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    await Promise.race([new Promise((res) => child.once('close', res)), sleep(120_000)]);
  }
  if (state.browser) await state.browser.close().catch(() => undefined);
  if (state.codeServerPid) {
    say('stopping code-server...');
    await stopGroup(state.codeServerPid);
    state.codeServerPid = undefined;
  }
  // Files with tokens: the identities' exported kubeconfigs and the demo's own (developer + admin).
  rmSync(join(DEMO_DIR, 'exports'), { recursive: true, force: true });
  rmSync(join(DEMO_DIR, 'kubeconfig'), { force: true });
  // The cluster may outlive us (reused, kept, or still used by a test run): delete the namespace
  // (its identities' tokens die with their ServiceAccounts).
  if (state.namespace && state.clusterLease && state.adminKubeconfig) {
    try {
      const k8s = await import('@kubernetes/client-node');
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(state.adminKubeconfig);
      await kc.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name: state.namespace });
      say(`deleted namespace ${state.namespace}`);
    } catch (e) {
      say(`could not delete namespace ${state.namespace}: ${e.message?.split('\n')[0]}`);
    }
  }
  await releaseCluster();
}

function onSignal(signal) {
  if (state.stopping) {
    say(`${signal} again: killing what is left at once`);
    for (const pgid of [state.codeServerPid, state.child?.pid]) {
      try {
        if (pgid) process.kill(-pgid, 'SIGKILL');
      } catch {}
    }
    process.exit(130);
  }
  say(`${signal}: stopping...`);
  // Pass it on to a foreground child (build, install, `up`); `up` then stops what it started.
  if (state.child?.pid && state.child.exitCode === null && state.child.signalCode === null) {
    try {
      process.kill(-state.child.pid, signal);
    } catch {}
  }
  state.stopping = cleanup().then(
    () => process.exit(signal === 'SIGINT' ? 130 : 143),
    (e) => {
      say(`cleanup failed: ${e.message}`);
      process.exit(1);
    },
  );
}

// ------------------------------------------------------------------------------------------- main

async function main() {
  const opts = parseCli();
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  if (opts.check) setDemoDir(join(ROOT, '.e2e', 'demo-check', opts.namespace));
  mkdirSync(DEMO_DIR, { recursive: true });

  await buildAndPackage();
  const codeServer = await ensureE2eDeps(opts.check);
  await ensureRenderTools();
  const kubeconfigs = await startCluster();
  await seedNamespace(kubeconfigs, opts.namespace);
  const contexts = writeDemoKubeconfig(kubeconfigs, opts.namespace, await import('yaml'));
  const cs = await startCodeServer(codeServer, { port: opts.port, kubeconfig: contexts.path, namespace: opts.namespace });

  printWelcome(cs, contexts, opts.namespace);
  if (opts.check) {
    await checkWorkbench(cs, contexts, opts.namespace, opts.docImages);
    await cleanup();
    rmSync(DEMO_DIR, { recursive: true, force: true });
    say('check passed');
    return 0;
  }
  // Serve until a signal; code-server exiting by itself ends the demo too.
  await new Promise((res) => {
    const timer = setInterval(() => {
      if (!state.stopping && state.codeServerPid && !groupAlive(state.codeServerPid)) {
        clearInterval(timer);
        res();
      }
    }, 1_000);
  });
  say(`code-server exited unexpectedly; its log: ${cs.logFile}`);
  state.codeServerPid = undefined;
  await cleanup();
  return 1;
}

main().then(
  (code) => {
    if (!state.stopping) process.exit(code);
  },
  async (err) => {
    if (err instanceof Interrupted || state.stopping) return; // onSignal finishes and exits
    say(`failed: ${err.message}`);
    await cleanup().catch((e) => say(`cleanup failed: ${e.message}`));
    process.exit(1);
  },
);
