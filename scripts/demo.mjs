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
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// .e2e/demo for the interactive demo; --check runs in its own directory, removed at the end.
let DEMO_DIR = join(ROOT, '.e2e', 'demo');
const VSIX = join(ROOT, 'dist', 'pipeline-rbac.vsix');
const CLI = join(ROOT, 'dist', 'cli.js');
const CODE_SERVER_VERSION = '4.100.3'; // as in scripts/install-e2e-deps.sh
const CHROMIUM = process.env.PIPELINE_RBAC_CHROMIUM ?? '/usr/bin/chromium';
const RBAC = 'rbac.authorization.k8s.io';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'pipeline-rbac-demo' };

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const say = (line) => process.stderr.write(`demo [${elapsed()}] ${line}\n`);

// ------------------------------------------------------------------------------------------ state
// What this run started, so that a signal at any point stops exactly that.
const state = {
  child: undefined, // a foreground child (build, install, `up`) to pass signals on to
  clusterLease: false, // we hold a lease on the cluster (PIPELINE_RBAC_CLUSTER_LEASE = our pid)
  clusterStartedHere: false,
  adminKubeconfig: undefined,
  namespace: undefined, // seeded namespace to delete when the cluster outlives us
  codeServerPid: undefined, // process group id
  browser: undefined,
  stopping: undefined,
};

class Interrupted extends Error {}

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

// -------------------------------------------------------------------------------------- processes

/** Runs a command in the foreground; resolves with its exit code and (unless inherited) its output. */
function run(cmd, args, { env = process.env, inherit = false, stdoutOnly = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    // Its own process group: a terminal Ctrl-C reaches only us, and we pass it on exactly once
    // (`up` treats a second SIGINT as "abort now" and would skip stopping what it started).
    const child = spawn(cmd, args, {
      cwd: ROOT,
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

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopGroup(pgid, graceMs = 5_000) {
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

async function poll(what, probe, timeoutMs, intervalMs = 250) {
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

const tail = (text, n = 25) => text.trimEnd().split('\n').slice(-n).join('\n');

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

// The demo's objects: the developer's rights in the namespace, three identities made with the CLI,
// and a hand-made legacy one (a too-broad Role and a long-lived token Secret) like many clusters have.
const MANAGE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

function roleYaml(name, namespace, rules) {
  const lines = ['apiVersion: rbac.authorization.k8s.io/v1', 'kind: Role', 'metadata:', `  name: ${name}`, `  namespace: ${namespace}`, 'rules:'];
  for (const r of rules) {
    lines.push(`  - apiGroups: ${JSON.stringify(r.apiGroups)}`, `    resources: ${JSON.stringify(r.resources)}`);
    if (r.resourceNames) lines.push(`    resourceNames: ${JSON.stringify(r.resourceNames)}`);
    lines.push(`    verbs: ${JSON.stringify(r.verbs)}`);
  }
  return `${lines.join('\n')}\n`;
}

const IDENTITIES = [
  {
    name: 'web-deployer',
    about: 'least privilege for app/ (token: TokenRequest, 30 days)',
    rules: [
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: MANAGE },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: MANAGE },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: MANAGE },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: MANAGE },
    ],
    args: [],
  },
  {
    name: 'docs-publisher',
    about: 'one ConfigMap by name (token expires in 3 hours)',
    rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['docs-site'], verbs: ['get', 'update', 'patch'] }],
    args: ['--duration', '3h'],
  },
  {
    name: 'release-bot',
    about: 'risky: reads every Secret, execs into pods (long-lived Secret token)',
    rules: [
      { apiGroups: ['', 'apps'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: MANAGE },
    ],
    args: ['--token', 'secret'],
  },
];

async function seedNamespace(kubeconfigs, namespace) {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigs.admin);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  const apply = (obj) => objects.patch(obj, undefined, undefined, 'pipeline-rbac-demo', true, k8s.PatchStrategy.ServerSideApply);

  // A namespace left by an earlier demo that did not get to clean up: start from scratch.
  const existing = await core.readNamespace({ name: namespace }).catch(() => undefined);
  if (existing) {
    say(`deleting the namespace ${namespace} left by an earlier run...`);
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await poll(`namespace ${namespace} to be deleted`, async () => !(await core.readNamespace({ name: namespace }).catch(() => undefined)), 120_000, 500);
  }
  say(`seeding namespace ${namespace}...`);
  state.namespace = namespace;
  await core.createNamespace({ body: { metadata: { name: namespace, labels: MANAGED_BY } } });

  // developer gets the same rights here as in team-a (test/cluster/seed.mjs), so the workbench,
  // which runs as developer, lists and manages these identities.
  const { DEVELOPER_RULES } = await import('../test/cluster/seed.mjs');
  await apply({ apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'developer', namespace, labels: MANAGED_BY }, rules: DEVELOPER_RULES });
  await apply({
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name: 'developer', namespace, labels: MANAGED_BY },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: 'developer' },
    subjects: [{ apiGroup: RBAC, kind: 'User', name: 'developer' }],
  });

  const roleDir = join(DEMO_DIR, 'roles');
  const exportDir = join(DEMO_DIR, 'exports');
  mkdirSync(roleDir, { recursive: true });
  mkdirSync(exportDir, { recursive: true, mode: 0o700 });
  for (const id of IDENTITIES) {
    const roleFile = join(roleDir, `${id.name}.yaml`);
    writeFileSync(roleFile, roleYaml(id.name, namespace, id.rules));
    const exportFile = join(exportDir, `${id.name}.kubeconfig`);
    rmSync(exportFile, { force: true });
    const res = await run(process.execPath, [
      CLI, 'identity', 'create', '--kubeconfig', kubeconfigs.admin, '--namespace', namespace, '--name', id.name,
      '--role-file', roleFile, '--export', `file:${exportFile}`, ...id.args,
    ]);
    if (res.code !== 0) throw new Error(`pipeline-rbac identity create ${id.name} failed (exit ${res.code}):\n${tail(res.output, 15)}`);
    say(`  identity ${namespace}/${id.name}: ${id.about}`);
  }

  // The legacy identity: made by hand, bound to a Role as broad as examples/ci/too-broad-role.yaml,
  // with a never-expiring token Secret.
  const broad = (await import('yaml')).parse(readFileSync(join(ROOT, 'examples', 'ci', 'too-broad-role.yaml'), 'utf8'));
  await apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'jenkins', namespace, labels: MANAGED_BY } });
  await apply({ apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'jenkins-admin', namespace, labels: MANAGED_BY }, rules: broad.rules });
  await apply({
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name: 'jenkins-admin', namespace, labels: MANAGED_BY },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: 'jenkins-admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'jenkins', namespace }],
  });
  await apply({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/service-account-token',
    metadata: { name: 'jenkins-token', namespace, labels: MANAGED_BY, annotations: { 'kubernetes.io/service-account.name': 'jenkins' } },
  });
  say(`  legacy ServiceAccount ${namespace}/jenkins: hand-made, Role jenkins-admin (wildcards, escalate), long-lived token Secret`);
}

/** One kubeconfig with two contexts (developer, current; admin), both in the demo namespace. Mode 0600. */
function writeDemoKubeconfig(kubeconfigs, namespace, yaml) {
  const dev = yaml.parse(readFileSync(kubeconfigs.developer, 'utf8'));
  const adm = yaml.parse(readFileSync(kubeconfigs.admin, 'utf8'));
  const ctx = (kc) => kc.contexts.find((c) => c.name === kc['current-context']);
  const devCtx = ctx(dev);
  const admCtx = ctx(adm);
  const merged = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [dev.clusters.find((c) => c.name === devCtx.context.cluster)],
    users: [dev.users.find((u) => u.name === devCtx.context.user), adm.users.find((u) => u.name === admCtx.context.user)],
    contexts: [
      { name: devCtx.name, context: { ...devCtx.context, namespace } },
      { name: admCtx.name, context: { ...admCtx.context, cluster: devCtx.context.cluster, namespace } },
    ],
    'current-context': devCtx.name,
  };
  const path = join(DEMO_DIR, 'kubeconfig');
  rmSync(path, { force: true });
  writeFileSync(path, yaml.stringify(merged), { mode: 0o600 });
  chmodSync(path, 0o600);
  return { path, developerContext: devCtx.name, adminContext: admCtx.name };
}

async function startCodeServer(bin, { port, kubeconfig }) {
  const userData = join(DEMO_DIR, 'user-data');
  const extensions = join(DEMO_DIR, 'extensions');
  const workspace = join(DEMO_DIR, 'workspace', 'examples');
  const logFile = join(DEMO_DIR, 'code-server.log');
  // Fresh each time: no state from an earlier demo, and quick fixes never touch the clone's examples/.
  for (const d of [userData, extensions, join(DEMO_DIR, 'workspace'), join(DEMO_DIR, 'xdg-data')]) rmSync(d, { recursive: true, force: true });
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  cpSync(join(ROOT, 'examples'), workspace, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': false,
    'git.enabled': false,
    'remote.autoForwardPorts': false,
  }, null, 2));

  // code-server acts as the CLI of an enclosing VS Code when these are set (e.g. run from its terminal).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VSCODE_') && k !== 'ELECTRON_RUN_AS_NODE'));
  env.KUBECONFIG = kubeconfig;
  env.XDG_DATA_HOME = join(DEMO_DIR, 'xdg-data');
  const common = ['--config', join(DEMO_DIR, 'config.yaml'), '--user-data-dir', userData, '--extensions-dir', extensions];

  say('installing the extension into code-server...');
  const inst = await run(bin, [...common, '--install-extension', VSIX, '--force'], { env });
  if (inst.code !== 0 || !/successfully installed/i.test(inst.output)) throw new Error(`code-server --install-extension failed (exit ${inst.code}):\n${tail(inst.output)}`);

  say('starting code-server...');
  writeFileSync(logFile, '');
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, [
    ...common,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    workspace,
  ], { cwd: ROOT, env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  state.codeServerPid = child.pid;
  let exited;
  child.on('exit', (code, signal) => (exited = `exit ${code ?? signal}`));
  const origin = await poll('code-server to listen', () => {
    if (exited) throw Object.assign(new Error(`code-server ${exited}:\n${tail(readFileSync(logFile, 'utf8'))}`), { fatal: true });
    return /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1];
  }, 60_000).catch((e) => {
    throw e.fatal || e instanceof Interrupted ? e : new Error(`${e.message}\n${tail(readFileSync(logFile, 'utf8'))}`);
  });
  await poll('code-server /healthz', async () => (await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok, 30_000);
  return { url: `${origin}/?folder=${encodeURIComponent(workspace)}`, origin, workspace, logFile, userData };
}

/** --check: the page answers, then headless Chromium shows findings and the live status bar item. */
async function checkWorkbench(cs, contexts, namespace, docImages) {
  const res = await fetch(cs.url, { signal: AbortSignal.timeout(10_000) });
  const html = await res.text();
  if (!res.ok || !/workbench/i.test(html)) throw new Error(`GET ${cs.url}: HTTP ${res.status}, not the VS Code workbench`);
  say(`GET ${cs.url}: HTTP ${res.status}, the workbench page (${html.length} bytes)`);

  // developer sees the seeded identities (the RoleBinding made for them works).
  const ids = await run(process.execPath, [CLI, 'identities', '--kubeconfig', join(DEMO_DIR, 'kubeconfig'), '--namespace', namespace, '--format', 'json']);
  if (ids.code !== 0) throw new Error(`pipeline-rbac identities as developer failed (exit ${ids.code}):\n${tail(ids.output, 10)}`);
  for (const id of IDENTITIES) {
    if (!ids.output.includes(`"${id.name}"`)) throw new Error(`pipeline-rbac identities as developer does not list ${id.name}:\n${tail(ids.output, 10)}`);
  }
  say(`developer lists the ${IDENTITIES.length} seeded identities of ${namespace}`);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    env: { ...process.env, XDG_CONFIG_HOME: join(DEMO_DIR, 'chromium-config') },
  });
  state.browser = browser;
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  const started = Date.now();
  await page.goto(cs.url, { waitUntil: 'domcontentloaded', timeout: 90_000 });
  await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: 90_000 });
  await page.locator('.part.statusbar').first().waitFor({ state: 'visible', timeout: 30_000 });
  say(`workbench visible after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // Quick Open the too-broad Role by its absolute path (listed at once, no file search needed).
  const file = join(cs.workspace, 'ci', 'too-broad-role.yaml');
  await page.keyboard.press('Control+P');
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ state: 'visible', timeout: 10_000 });
  await box.fill(file);
  await poll('Quick Open to list too-broad-role.yaml', async () => {
    if (!(await box.isVisible())) return true;
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'too-broad-role.yaml' }).first();
    if (!(await row.count())) return false;
    await row.click({ timeout: 2_000, force: true }).catch(() => undefined);
    return false;
  }, 20_000, 200);
  await poll('error squiggles in too-broad-role.yaml', async () => (await page.locator('.editor-group-container.active .squiggly-error').count()) > 0, 90_000, 250);
  // Offline, the file has 2 errors (impersonate, escalate-verb); more means the live not-held check ran.
  await poll('the live not-held errors (more than the 2 offline errors)', async () => {
    const tips = await page.locator('.part.statusbar .statusbar-item [aria-label], .part.statusbar .statusbar-item[aria-label]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    const m = tips.map((t) => /Errors: (\d+)/.exec(t)).find(Boolean);
    return m && Number(m[1]) > 2;
  }, 90_000, 250);
  const want = `${contexts.developerContext} \u00b7 developer`;
  const status = await poll(`the status bar item "${want}"`, async () => {
    const texts = await page.locator('.part.statusbar .statusbar-item').allTextContents();
    return texts.map((t) => t.replace(/\s+/g, ' ').trim()).find((t) => t === want);
  }, 90_000, 250);
  const shot = join(ROOT, '.e2e', 'screenshots', 'demo-check.png');
  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: shot });
  say(`the extension is live: status bar "${status}", error squiggles shown (${((Date.now() - started) / 1000).toFixed(1)} s after loading; screenshot ${shot.slice(ROOT.length + 1)})`);
  if (hasIdentitiesView()) await checkIdentitiesView(page, namespace, docImages);
  await browser.close();
  state.browser = undefined;
}

function hasIdentitiesView() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return JSON.stringify(pkg.contributes?.views ?? {}).includes('pipelineRbac.identities');
}

/** The Pipeline RBAC view lists the seeded identities of the namespace (as developer). */
async function checkIdentitiesView(page, namespace, docImages) {
  const started = Date.now();
  await page.locator('.activitybar [aria-label^="Pipeline RBAC"]').first().click();
  const rows = page.locator('.part.sidebar .monaco-list-row');
  const row = (name) => page.locator(`.part.sidebar .monaco-list-row[aria-label^="${name} "]`).first();
  if (docImages) {
    // Wider side bar, hand-made ServiceAccounts shown too: a readable picture of the tree.
    const bar = await page.locator('.part.sidebar').boundingBox();
    await page.mouse.move(bar.x + bar.width + 1, bar.y + 300);
    await page.mouse.down();
    await page.mouse.move(640, bar.y + 300, { steps: 5 });
    await page.mouse.up();
    await page.locator('.part.sidebar .title-actions .action-label[aria-label^="Show All ServiceAccounts"]').first().click({ timeout: 30_000 });
  }
  const nsRow = row(namespace);
  await nsRow.waitFor({ state: 'visible', timeout: 60_000 });
  if ((await nsRow.getAttribute('aria-expanded')) === 'false') await nsRow.click();
  const labels = await poll(`the seeded identities in the ${namespace} node of the identities view`, async () => {
    const all = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('aria-label') ?? ''));
    return IDENTITIES.every((id) => all.some((l) => l.startsWith(`${id.name} `))) ? all : undefined;
  }, 60_000, 300);
  const shown = IDENTITIES.map((id) => labels.find((l) => l.startsWith(`${id.name} `)));
  say(`identities view (${((Date.now() - started) / 1000).toFixed(1)} s): ${shown.join('; ')}`);
  if (!docImages) return;
  for (const name of ['jenkins', 'web-deployer']) {
    const r = row(name);
    if ((await r.getAttribute('aria-expanded').catch(() => null)) === 'false') await r.click();
  }
  await poll('the expanded identities', async () => (await rows.filter({ hasText: /TokenRequest token/ }).count()) > 0, 30_000, 300);
  await page.mouse.move(900, 600); // no hover highlight on a row
  await page.keyboard.press('Escape');
  const boxes = await rows.evaluateAll((rs) => rs.map((r) => { const b = r.getBoundingClientRect(); return { x: b.x, y: b.y, w: b.width, h: b.height }; }));
  const bar = await page.locator('.part.sidebar').boundingBox();
  const bottom = Math.max(...boxes.map((b) => b.y + b.h)) + 8;
  mkdirSync(docImages, { recursive: true });
  const file = join(docImages, 'identities.png');
  await page.screenshot({ path: file, clip: { x: bar.x, y: bar.y, width: bar.width, height: bottom - bar.y } });
  say(`saved ${file}`);
}

function printWelcome(cs, contexts, namespace) {
  const hasView = hasIdentitiesView();
  const lines = [
    '',
    `  Pipeline RBAC demo is running: ${cs.url}`,
    '',
    `  VS Code (code-server) as the cluster user "developer" (context ${contexts.developerContext}), on a scratch`,
    `  copy of examples/ in ${cs.workspace.slice(ROOT.length + 1)}. Namespace "${namespace}" holds the seeded identities.`,
    '',
    '  What to try:',
    '   1. Open ci/too-broad-role.yaml: the Problems panel (Ctrl+Shift+M) lists every finding; the red ones',
    '      (not-held) are what the API server would refuse to let developer create.',
    '   2. Hover over a rule, e.g. resources: ["configmaps", "secrets"]: what it grants and whether you hold it.',
    '   3. Put the cursor on a "*" or on "secrets" and press Ctrl+. for quick fixes.',
    '   4. Open ci/least-privilege-role.yaml: no errors, developer may create it.',
    '   5. F1 > "Pipeline RBAC: Check with the Cluster (Dry Run)": the API server\'s own verdict.',
    `   6. Click the status bar item "${contexts.developerContext} · developer" to switch to ${contexts.adminContext}:`,
    '      the not-held errors disappear (admin holds everything).',
  ];
  if (hasView) {
    lines.push(
      `   7. The Pipeline RBAC view in the activity bar: the identities of "${namespace}" with their token state`,
      '      (web-deployer, docs-publisher, release-bot; "Show All ServiceAccounts" adds the hand-made jenkins).',
      '      F1 > "Pipeline RBAC: Create Pipeline Identity..." makes another one (export to a file).',
      '      Right-click web-deployer > "Verify Pipeline Identity...": as that ServiceAccount, a dry run of app/*.yaml.',
    );
  }
  lines.push(
    '   8. Open charts/web/templates/role.yaml: the chart is rendered with helm and secrets-read shows on the',
    '      template line whose range printed it from values.yaml (no YAML errors for the {{ }} syntax).',
  );
  lines.push(
    '',
    `  From a terminal: KUBECONFIG=${join(DEMO_DIR, 'kubeconfig').slice(ROOT.length + 1)} node dist/cli.js check examples/ci --live`,
    '                   node dist/cli.js check examples/charts/web examples/overlays/prod',
    '                   node dist/cli.js check examples/ci/least-privilege-role.yaml --manifests examples/charts/web --deployer helm',
    '',
    '  Press Ctrl-C to stop code-server' + (state.clusterStartedHere ? ' and the test cluster' : ' (the cluster this run reused keeps running)') + ` and delete namespace "${namespace}".`,
    '',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
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
  if (opts.check) DEMO_DIR = join(ROOT, '.e2e', 'demo-check', opts.namespace);
  mkdirSync(DEMO_DIR, { recursive: true });

  await buildAndPackage();
  const codeServer = await ensureE2eDeps(opts.check);
  await ensureRenderTools();
  const kubeconfigs = await startCluster();
  await seedNamespace(kubeconfigs, opts.namespace);
  const contexts = writeDemoKubeconfig(kubeconfigs, opts.namespace, await import('yaml'));
  const cs = await startCodeServer(codeServer, { port: opts.port, kubeconfig: contexts.path });

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
