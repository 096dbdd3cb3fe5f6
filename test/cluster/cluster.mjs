// Starts and stops the real test control plane (etcd, kube-apiserver, kube-controller-manager)
// on free loopback ports. Entry points: `test/cluster/up` and `test/cluster/down`.
//
// Layout under <repo>/.cluster/ (git-ignored, removed by `down`):
//   state.json           pids (each its own process group), ports, timings; never secrets
//   lock                 serialises concurrent up/down (holder's pid inside)
//   leases/<pid>         test runs currently using the cluster (see lifecycle.mjs)
//   pki/                 CA, serving cert, service-account key pair, tokens.csv (mode 0600),
//                        authentication-config.yaml (the CI OIDC issuers, written by `identity oidc`)
//   pki/oidc/            the CI OIDC issuers' CA, serving cert and signing keys (oidcIssuer.mjs)
//   etcd/                etcd data dir
//   logs/<component>.log
//   {admin,developer,viewer}.kubeconfig (mode 0600)
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ensureBinary } from './build.mjs';
import { ClusterError, LEASE_DIR, LOG_DIR, PKI, readFileOr, REPO_ROOT, say, secs, STATE_DIR, STOP_REQUESTED } from './clusterBase.mjs';
import { apiClient, fetchJson, waitUntil } from './clusterHttp.mjs';
import { CLUSTER_USERS, generatePki, kubeconfigPath, readTokens, writeKubeconfigs } from './clusterPki.mjs';
import { isOurs, rssMiB, signalGroups, startComponent } from './clusterProcesses.mjs';
import { liveLeases, readState, releaseLock, withLock, writeState } from './clusterState.mjs';
import { generateIssuers, issuersReady, PROVIDERS, writeAuthConfig } from './oidcIssuer.mjs';
import { NAMESPACES, seedObjects } from './seed.mjs';

export { REPO_ROOT, STATE_DIR } from './clusterBase.mjs';

const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const CONTROLLERS = [
  'serviceaccount-token-controller',
  'serviceaccount-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'clusterrole-aggregation-controller',
  'root-ca-certificate-publisher-controller',
];
// Stopped in reverse order. The OIDC issuer runs before the apiserver, which fetches its discovery and keys.
const COMPONENTS = ['etcd', 'oidc-issuer', 'kube-apiserver', 'kube-controller-manager'];
const OIDC_ENV = { github: 'PIPELINE_RBAC_OIDC_ISSUER', gitlab: 'PIPELINE_RBAC_OIDC_ISSUER_GITLAB' };

// ---------------------------------------------------------------- up

async function freePorts(n) {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise((res, rej) => {
      const s = createServer();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => res(s));
    })),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  return ports;
}

/** A cluster started by a checkout from before the CI OIDC issuers: healthy, but without issuers. */
const predatesOidc = (state) => !PROVIDERS.every((p) => state?.oidc?.[p]);

async function isHealthy(state, { ignoreOidc = false } = {}) {
  if (state?.status !== 'ready') return false;
  const components = ignoreOidc && predatesOidc(state) ? COMPONENTS.filter((c) => c !== 'oidc-issuer') : COMPONENTS;
  if (!components.every((c) => isOurs(state.procs?.[c]))) return false;
  if (!CLUSTER_USERS.every((u) => existsSync(kubeconfigPath(u)))) return false;
  if (!ignoreOidc && predatesOidc(state)) return false;
  try {
    const res = await apiClient(state, readTokens().admin)('GET', '/readyz');
    return res.status === 200;
  } catch {
    return false;
  }
}

function emitKubeconfigLines() {
  const oidc = readState()?.oidc ?? {};
  const lines = [
    ...CLUSTER_USERS.map((u) => `KUBECONFIG_${u.toUpperCase()}=${kubeconfigPath(u)}`),
    ...PROVIDERS.map((p) => `${OIDC_ENV[p]}=${oidc[p]}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function addLease() {
  const pid = Number(process.env.PIPELINE_RBAC_CLUSTER_LEASE);
  if (!Number.isInteger(pid) || pid <= 0) return;
  mkdirSync(LEASE_DIR, { recursive: true });
  writeFileSync(join(LEASE_DIR, String(pid)), '');
}

/** Removes everything under .cluster/ except the lock we hold. */
function clearStateDir() {
  if (!existsSync(STATE_DIR)) return;
  for (const name of readdirSync(STATE_DIR)) {
    if (name !== 'lock') rmSync(join(STATE_DIR, name), { recursive: true, force: true });
  }
}

async function stopFromState() {
  const state = readState();
  const procs = COMPONENTS.map((c) => state?.procs?.[c]).filter(Boolean).reverse();
  // Controller-manager first, etcd last, so the apiserver does not log a storm of etcd errors.
  for (const p of procs) await signalGroups([p], 10_000);
  return procs.length;
}

function logTail(component, lines = 40) {
  const text = readFileOr(join(LOG_DIR, `${component}.log`), '');
  return text.split('\n').slice(-lines - 1).join('\n');
}

let startingHere = false;

async function startFresh() {
  startingHere = true;
  const t0 = Date.now();
  const bin = await ensureBinary({ log: (l) => process.stderr.write(`${l}\n`) });
  const tBuilt = Date.now();
  mkdirSync(LOG_DIR, { recursive: true });
  const tokens = generatePki();
  const [etcdClient, etcdPeer, apiserverPort, githubIssuerPort, gitlabIssuerPort] = await freePorts(5);
  const oidcDir = join(PKI, 'oidc');
  const issuers = generateIssuers(oidcDir, { github: githubIssuerPort, gitlab: gitlabIssuerPort });
  const state = {
    status: 'starting',
    binary: bin,
    starter: process.env.PIPELINE_RBAC_CLUSTER_STARTER || null,
    ports: { etcd: etcdClient, etcdPeer, apiserver: apiserverPort, oidcGithub: githubIssuerPort, oidcGitlab: gitlabIssuerPort },
    oidc: Object.fromEntries(PROVIDERS.map((p) => [p, issuers[p].url])),
    procs: {},
    timings: {},
  };
  writeKubeconfigs(state, tokens);
  const procs = {};
  const track = (name, args) => {
    procs[name] = startComponent(bin, name, args);
    state.procs[name] = { pid: procs[name].pid, startTime: procs[name].startTime, log: procs[name].log };
    writeState(state);
    say(`started ${name} (pid ${procs[name].pid})`);
  };
  const pki = (f) => join(PKI, f);

  track('etcd', [
    '--name=default',
    `--data-dir=${join(STATE_DIR, 'etcd')}`,
    `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
    `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
    '--unsafe-no-fsync', // test data only: trades durability for speed
  ]);
  await waitUntil('etcd /health', async () => {
    const r = await fetchJson(`http://127.0.0.1:${etcdClient}/health`);
    return r.status === 200 && r.json?.health === 'true';
  }, { timeoutMs: 60_000, procs, component: 'etcd' });
  state.timings.etcdHealthyMs = Date.now() - tBuilt;

  track('oidc-issuer', ['serve', oidcDir]);
  await waitUntil('the CI OIDC issuers', () => issuersReady(oidcDir), { timeoutMs: 30_000, procs, component: 'oidc-issuer' });
  const tConfig = Date.now();
  try {
    writeAuthConfig(REPO_ROOT, oidcDir, pki('authentication-config.yaml'));
    state.timings.oidcConfigMs = Date.now() - tConfig;
  } catch (err) {
    throw new ClusterError(`pipeline-rbac identity oidc could not write the authentication configuration: ${err.message}`);
  }

  track('kube-apiserver', [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiserverPort}`,
    '--endpoint-reconciler-type=none', // no real network: do not publish a loopback endpoint
    `--cert-dir=${PKI}`,
    `--tls-cert-file=${pki('apiserver.crt')}`,
    `--tls-private-key-file=${pki('apiserver.key')}`,
    `--client-ca-file=${pki('ca.crt')}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--authorization-mode=RBAC',
    `--token-auth-file=${pki('tokens.csv')}`,
    `--authentication-config=${pki('authentication-config.yaml')}`,
    `--service-account-issuer=${SA_ISSUER}`,
    `--api-audiences=${SA_ISSUER}`,
    `--service-account-signing-key-file=${pki('sa.key')}`,
    `--service-account-key-file=${pki('sa.pub')}`,
    '--profiling=false',
  ]);
  const api = apiClient(state, tokens.admin);
  await waitUntil('kube-apiserver /readyz', async () => (await api('GET', '/readyz')).status === 200, {
    timeoutMs: 180_000,
    procs,
    component: 'kube-apiserver',
  });
  state.timings.readyzMs = Date.now() - tBuilt;
  say(`kube-apiserver ready after ${secs(state.timings.readyzMs)}`);

  track('kube-controller-manager', [
    `--kubeconfig=${pki('controller-manager.kubeconfig')}`,
    '--leader-elect=false',
    '--secure-port=0',
    `--service-account-private-key-file=${pki('sa.key')}`,
    `--root-ca-file=${pki('ca.crt')}`,
    `--controllers=${CONTROLLERS.join(',')}`,
  ]);

  for (const { path, body } of seedObjects()) {
    const r = await api('POST', path, body);
    if (r.status !== 201 && r.status !== 409) {
      throw new ClusterError(`seeding ${body.kind} ${body.metadata.name} failed: HTTP ${r.status} ${r.json?.message ?? ''}`, 'kube-apiserver');
    }
  }
  const get = async (path) => (await api('GET', path)).json;
  const ok = async (path) => (await api('GET', path)).status === 200;
  await waitUntil('aggregated ClusterRoles view/edit/admin', async () => {
    for (const role of ['view', 'edit', 'admin']) {
      if (!(await get(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`))?.rules?.length) return false;
    }
    return true;
  }, { timeoutMs: 120_000, procs, component: 'kube-controller-manager' });
  await waitUntil('default ServiceAccount and kube-root-ca.crt in the seeded namespaces', async () => {
    for (const ns of NAMESPACES) {
      if (!(await ok(`/api/v1/namespaces/${ns}/serviceaccounts/default`))) return false;
      if (!(await ok(`/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`))) return false;
    }
    return true;
  }, { timeoutMs: 120_000, procs, component: 'kube-controller-manager' });
  state.timings.seededMs = Date.now() - tBuilt;
  state.timings.buildMs = tBuilt - t0;
  state.version = (await get('/version'))?.gitVersion;
  state.status = 'ready';
  writeState(state);
  startingHere = false;
  const rss = COMPONENTS.map((c) => `${c} ${rssMiB(procs[c].pid) ?? '?'} MiB`).join(', ');
  say(`Kubernetes ${state.version} ready in ${secs(state.timings.seededMs)} ` +
    `(/readyz ${secs(state.timings.readyzMs)}); RSS: ${rss}; logs in ${LOG_DIR}`);
}

async function up() {
  await withLock(async () => {
    const existing = readState();
    if (existing && (await isHealthy(existing))) {
      say(`reusing the running cluster (apiserver https://127.0.0.1:${existing.ports.apiserver})`);
    } else {
      const users = liveLeases();
      if (existing && predatesOidc(existing) && users.length && (await isHealthy(existing, { ignoreOidc: true }))) {
        // Restarting would pull the cluster from under those runs; the last of them stops it, then `up` starts anew.
        throw new ClusterError(`the running cluster predates the CI OIDC issuers and is in use by pid ${users.join(', ')}; ` +
          'run test/cluster/down (or wait until they finish) and then test/cluster/up again');
      }
      if (existing) say('found a stale cluster state; cleaning it up');
      await stopFromState();
      clearStateDir();
      // One retry when a picked port was taken between choosing and binding it.
      for (let attempt = 1; ; attempt++) {
        try {
          await startFresh();
          break;
        } catch (err) {
          const component = err instanceof ClusterError ? err.component : undefined;
          const portRace = attempt === 1 && COMPONENTS.some((c) => /address already in use/.test(logTail(c, 20)));
          say(`start failed: ${err.message}`);
          if (component && !portRace) process.stderr.write(`--- last lines of ${join(LOG_DIR, `${component}.log`)} ---\n${logTail(component)}\n---\n`);
          await stopFromState();
          if (!portRace) {
            clearStateDir();
            throw err;
          }
          clearStateDir();
          say('a port was taken meanwhile; retrying once with new ports');
        }
      }
    }
    addLease();
    emitKubeconfigLines();
  });
}

// ---------------------------------------------------------------- down

/**
 * Stops the cluster and removes .cluster/. With `release`, first drops that lease and only
 * stops when no other live test run holds one (otherwise records that a stop was requested);
 * with `onlyIfRequested`, stops only when such a request is pending and nobody else uses it.
 */
async function down({ release, onlyIfRequested = false } = {}) {
  if (!existsSync(STATE_DIR)) return;
  await withLock(async () => {
    if (release) {
      rmSync(join(LEASE_DIR, String(release)), { force: true });
      const others = liveLeases();
      if (others.length) {
        if (!onlyIfRequested) {
          writeFileSync(STOP_REQUESTED, '');
          say(`still used by pid ${others.join(', ')}; the last user stops it`);
        }
        return;
      }
      if (onlyIfRequested && !existsSync(STOP_REQUESTED)) return;
    }
    const n = await stopFromState();
    clearStateDir(); // the lock and the directory itself go when the lock is released
    say(n ? `stopped ${n} component(s) and removed ${STATE_DIR}` : `nothing running; removed ${STATE_DIR}`);
  });
}

// ---------------------------------------------------------------- CLI

function parseDownArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--release') opts.release = Number(argv[++i]);
    else if (argv[i] === '--only-if-requested') opts.onlyIfRequested = true;
    else throw new Error(`unknown argument ${argv[i]} (usage: down [--release PID [--only-if-requested]])`);
  }
  if (opts.release !== undefined && !(opts.release > 0)) throw new Error('--release needs a pid');
  return opts;
}

/** @param {'up' | 'down'} command */
export async function main(command, argv) {
  let interrupted = false;
  const onSignal = (sig) => {
    if (interrupted) return;
    interrupted = true;
    const cleanup = startingHere ? stopFromState().then(clearStateDir) : Promise.resolve();
    if (startingHere) say(`${sig}: stopping what this run started`);
    cleanup.finally(() => {
      releaseLock();
      process.exit(130);
    });
  };
  try {
    if (command === 'up') {
      if (argv.length) throw new Error(`up takes no arguments (got ${argv.join(' ')})`);
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
      await up();
    } else {
      await down(parseDownArgs(argv));
    }
    process.exit(0);
  } catch (err) {
    say(`${command} failed: ${err.message}`);
    process.exit(1);
  }
}

// Used by measurements and diagnostics: RSS of the running components.
export function componentRss() {
  const state = readState();
  return Object.fromEntries(COMPONENTS.map((c) => [c, isOurs(state?.procs?.[c]) ? rssMiB(state.procs[c].pid) : undefined]));
}
