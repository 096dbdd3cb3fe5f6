// Builds the helm and kustomize CLIs pipeline-rbac renders charts and overlays with, from their Go
// modules pinned in scripts/tools/<tool>/go.mod (+ go.sum), and caches them in
// ~/.cache/pipeline-rbac/bin/ (where the CLI and the language server look after PATH). A stamp file
// next to each binary holds the hash of its module files, so a version bump rebuilds and anything
// else reuses the cached binary.
//
//   node scripts/tools/build-tools.mjs [helm|kustomize]...   prints one "tool path" line per tool
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtLine, goBuild } from './goBuild.mjs';

const TOOLS_DIR = dirname(fileURLToPath(import.meta.url));

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
  log(`tools: building ${tool} ${version} from Go modules (first run: a few minutes on 2 cores; cached in ${dirname(out)})...`);
  const built = await goBuild({
    cwd: dir,
    args: ['-trimpath', '-ldflags', ldflags],
    pkg: spec.pkg,
    out,
    env: { GOFLAGS: '-mod=readonly -buildvcs=false' },
    what: `go build of ${tool}`,
    still: `tools: still building ${tool}`,
    goMod: `scripts/tools/${tool}/go.mod`,
    log,
  });
  writeFileSync(`${stamp}.tmp-${process.pid}`, `${key}\n`);
  renameSync(`${stamp}.tmp-${process.pid}`, stamp);
  log(builtLine('tools: ', out, built));
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
