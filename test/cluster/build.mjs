// Builds the test control-plane binary (etcd + kube-apiserver + kube-controller-manager as
// subcommands of one Go program, see main.go) and caches it outside the repo, keyed on the
// module files, so only the first start on a machine pays for the long Go build.
// Usage as a script: `node test/cluster/build.mjs` prints the binary path on stdout.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MODULE_DIR = dirname(fileURLToPath(import.meta.url));
const HEARTBEAT_MS = 30_000;

/** Kubernetes version pinned in go.mod, e.g. "v1.36.3". */
export function kubernetesVersion() {
  const gomod = readFileSync(join(MODULE_DIR, 'go.mod'), 'utf8');
  const m = /^\s*k8s\.io\/kubernetes\s+(v\d+\.\d+\.\d+)\s*$/m.exec(gomod);
  if (!m) throw new Error('test/cluster/go.mod does not require k8s.io/kubernetes vX.Y.Z');
  return m[1];
}

/** Cached binary path; the key changes whenever go.sum, main.go or go.mod change. */
export function binaryPath() {
  const hash = createHash('sha256');
  for (const f of ['go.sum', 'main.go', 'go.mod']) hash.update(readFileSync(join(MODULE_DIR, f)));
  const key = hash.digest('hex').slice(0, 16);
  const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheRoot, 'pipeline-rbac', `testcluster-${key}`, 'testcluster');
}

function fmtElapsed(ms) {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

// `go build -v` prints one import path per compiled package; anything else is a diagnostic.
const PACKAGE_LINE = /^[\w.~+-]+(\/[\w.~+-]+)*$/;

/**
 * Returns the cached binary, building it first when missing. Progress goes to stderr.
 * Concurrent callers are safe: each builds to its own temp file and renames atomically.
 */
export async function ensureBinary({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const out = binaryPath();
  if (existsSync(out)) return out;
  const version = kubernetesVersion();
  const [major, minor] = version.slice(1).split('.');
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const ldflags = [
    '-s -w',
    `-X k8s.io/component-base/version.gitVersion=${version}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
  ].join(' ');
  const args = ['build', '-v', '-trimpath', '-tags', 'grpcnotrace', '-ldflags', ldflags, '-o', tmp, '.'];
  log(
    `test cluster: building kube-apiserver+etcd+controller-manager ${version} from Go modules ` +
      `(first run on this machine: ~7-15 min on 2 cores with a cold Go cache; the binary is cached in ${dirname(out)})...`,
  );
  const started = Date.now();
  let packages = 0;
  const diagnostics = [];
  const child = spawn('go', args, {
    cwd: MODULE_DIR,
    env: { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' },
    stdio: ['ignore', 2, 'pipe'], // stdout of `up` is reserved for the KUBECONFIG_ lines
  });
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (PACKAGE_LINE.test(line)) packages++;
      else if (line.trim()) diagnostics.push(line);
    }
  });
  const heartbeat = setInterval(() => {
    log(`test cluster: still building (${fmtElapsed(Date.now() - started)}, ${packages} packages compiled)`);
  }, HEARTBEAT_MS);
  const code = await new Promise((resolve) => {
    child.on('error', (err) => {
      diagnostics.push(`cannot run go: ${err.message} (needs Go at least as new as the go line in test/cluster/go.mod)`);
      resolve(-1);
    });
    child.on('close', (c) => resolve(c ?? -1));
  }).finally(() => clearInterval(heartbeat));
  if (pending.trim() && !PACKAGE_LINE.test(pending)) diagnostics.push(pending);
  if (code !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`go build failed (exit ${code}) after ${fmtElapsed(Date.now() - started)}:\n${diagnostics.slice(-60).join('\n')}`);
  }
  renameSync(tmp, out);
  log(`test cluster: built ${out} in ${fmtElapsed(Date.now() - started)}${packages ? ` (${packages} packages compiled)` : ''}`);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureBinary().then(
    (p) => process.stdout.write(`${p}\n`),
    (err) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
