// Builds the test control-plane binary (etcd + kube-apiserver + kube-controller-manager as
// subcommands of one Go program, see main.go) and caches it outside the repo, keyed on the
// module files, so only the first start on a machine pays for the long Go build.
// Usage as a script: `node test/cluster/build.mjs` prints the binary path on stdout.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtLine, goBuild } from '../../scripts/tools/goBuild.mjs';

export const MODULE_DIR = dirname(fileURLToPath(import.meta.url));

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
  const ldflags = [
    '-s -w',
    `-X k8s.io/component-base/version.gitVersion=${version}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
  ].join(' ');
  log(
    `test cluster: building kube-apiserver+etcd+controller-manager ${version} from Go modules ` +
      `(first run on this machine: ~7-15 min on 2 cores with a cold Go cache; the binary is cached in ${dirname(out)})...`,
  );
  const built = await goBuild({
    cwd: MODULE_DIR,
    args: ['-trimpath', '-tags', 'grpcnotrace', '-ldflags', ldflags],
    pkg: '.',
    out,
    env: {},
    what: 'go build',
    still: 'test cluster: still building',
    goMod: 'test/cluster/go.mod',
    log, // stdout of `up` is reserved for the KUBECONFIG_ lines: goBuild writes go's output to stderr
  });
  log(builtLine('test cluster: ', out, built));
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
