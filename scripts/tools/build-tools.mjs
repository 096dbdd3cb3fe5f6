// Builds the helm and kustomize CLIs pipeline-rbac renders charts and overlays with, from their Go
// modules pinned in scripts/tools/<tool>/go.mod (+ go.sum), and caches them in
// ~/.cache/pipeline-rbac/bin/ (where the CLI and the language server look after PATH). A stamp file
// next to each binary holds the hash of its module files, so a version bump rebuilds and anything
// else reuses the cached binary.
//
//   node scripts/tools/build-tools.mjs [helm|kustomize]...   prints one "tool path" line per tool
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TOOLS_DIR = dirname(fileURLToPath(import.meta.url));
const HEARTBEAT_MS = 30_000;

/** What each tool builds and the version variables its own release build sets (Makefiles). */
const TOOLS = {
  helm: {
    pkg: 'helm.sh/helm/v3/cmd/helm',
    module: 'helm.sh/helm/v3',
    ldflags: (v, gomod) => {
      // helm's Makefile sets the default Kubernetes version of `helm template` from client-go.
      const k8s = /^\s*k8s\.io\/client-go\s+v0\.(\d+)\.\d+/m.exec(gomod);
      const minor = k8s ? k8s[1] : '';
      return [
        `-X helm.sh/helm/v3/internal/version.version=${v}`,
        '-X helm.sh/helm/v3/internal/version.metadata=',
        ...(minor
          ? [
              '-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1',
              `-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${minor}`,
              '-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1',
              `-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${minor}`,
            ]
          : []),
      ];
    },
  },
  kustomize: {
    pkg: 'sigs.k8s.io/kustomize/kustomize/v5',
    module: 'sigs.k8s.io/kustomize/kustomize/v5',
    ldflags: (v) => [`-X sigs.k8s.io/kustomize/api/provenance.version=${v}`],
  },
};

export function binDir() {
  const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheRoot, 'pipeline-rbac', 'bin');
}

function moduleFiles(tool) {
  const dir = join(TOOLS_DIR, tool);
  return { dir, gomod: readFileSync(join(dir, 'go.mod'), 'utf8'), gosum: readFileSync(join(dir, 'go.sum'), 'utf8') };
}

/** Pinned version of the tool's module in its go.mod, e.g. "v3.22.0". */
export function toolVersion(tool) {
  const { gomod } = moduleFiles(tool);
  const escaped = TOOLS[tool].module.replace(/[./]/g, (c) => `\\${c}`);
  const m = new RegExp(`^\\s*${escaped}\\s+(v\\d+\\.\\d+\\.\\d+)\\b`, 'm').exec(gomod);
  if (!m) throw new Error(`scripts/tools/${tool}/go.mod does not require ${TOOLS[tool].module} vX.Y.Z`);
  return m[1];
}

function stampKey(tool, ldflags) {
  const { gomod, gosum } = moduleFiles(tool);
  return createHash('sha256').update(gomod).update(gosum).update(ldflags).digest('hex').slice(0, 16);
}

function fmtElapsed(ms) {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

const PACKAGE_LINE = /^[\w.~+-]+(\/[\w.~+-]+)*$/;

/**
 * Returns the cached binary of `tool`, building it first when missing or built from other module
 * files. Progress goes to `log`. Concurrent callers are safe: each builds to its own temp file and
 * renames atomically.
 */
export async function ensureTool(tool, { log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const spec = TOOLS[tool];
  if (!spec) throw new Error(`unknown tool "${tool}" (helm or kustomize)`);
  const out = join(binDir(), tool);
  const stamp = `${out}.stamp`;
  const version = toolVersion(tool);
  const { dir, gomod } = moduleFiles(tool);
  const ldflags = ['-s -w', ...spec.ldflags(version, gomod)].join(' ');
  const key = stampKey(tool, ldflags);
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === key) return out;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const args = ['build', '-v', '-trimpath', '-ldflags', ldflags, '-o', tmp, spec.pkg];
  log(`tools: building ${tool} ${version} from Go modules (first run: a few minutes on 2 cores; cached in ${dirname(out)})...`);
  const started = Date.now();
  let packages = 0;
  const diagnostics = [];
  const child = spawn('go', args, {
    cwd: dir,
    env: { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' },
    stdio: ['ignore', 2, 'pipe'],
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
    log(`tools: still building ${tool} (${fmtElapsed(Date.now() - started)}, ${packages} packages compiled)`);
  }, HEARTBEAT_MS);
  const code = await new Promise((resolve) => {
    child.on('error', (err) => {
      diagnostics.push(`cannot run go: ${err.message} (needs Go at least as new as the go line in scripts/tools/${tool}/go.mod)`);
      resolve(-1);
    });
    child.on('close', (c) => resolve(c ?? -1));
  }).finally(() => clearInterval(heartbeat));
  if (pending.trim() && !PACKAGE_LINE.test(pending)) diagnostics.push(pending);
  if (code !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`go build of ${tool} failed (exit ${code}) after ${fmtElapsed(Date.now() - started)}:\n${diagnostics.slice(-60).join('\n')}`);
  }
  renameSync(tmp, out);
  writeFileSync(`${stamp}.tmp-${process.pid}`, `${key}\n`);
  renameSync(`${stamp}.tmp-${process.pid}`, stamp);
  log(`tools: built ${out} in ${fmtElapsed(Date.now() - started)}${packages ? ` (${packages} packages compiled)` : ''}`);
  return out;
}

/** Builds every tool (or the named ones) one after the other: the machine has few cores. */
export async function ensureTools(names = Object.keys(TOOLS), opts = {}) {
  const paths = {};
  for (const name of names) paths[name] = await ensureTool(name, opts);
  return paths;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const names = process.argv.slice(2);
  ensureTools(names.length ? names : undefined).then(
    (paths) => {
      for (const [name, p] of Object.entries(paths)) process.stdout.write(`${name} ${p}\n`);
    },
    (err) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
