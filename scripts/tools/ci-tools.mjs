// The CI runners the tests prove the CI integrations with, at pinned versions from their registries, cached in
// ~/.cache/pipeline-rbac/: pre-commit (PyPI, in its own virtualenv) for .pre-commit-hooks.yaml, and gitlab-ci-local
// (npm; 4.64.1 is its last release that runs on Node 20, later ones use Node 22 APIs) for templates/pipeline-rbac.yml,
// and nektos/act (built from its Go module, run in host mode) for action.yml. A fresh machine gets them on first use;
// .ci/run installs them up front.
//
//   node scripts/tools/ci-tools.mjs [pre-commit|gitlab-ci-local|act]...   prints one "tool path" line per tool
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binDir } from './build-tools.mjs';

export const PRE_COMMIT_VERSION = '4.7.0';
export const GITLAB_CI_LOCAL_VERSION = '4.64.1';
export const ACT_VERSION = 'v0.2.89';

const INSTALL_TIMEOUT_MS = 10 * 60_000;

function cacheDir(name) {
  return join(dirname(binDir()), name);
}

function step(cmd, args, what) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: INSTALL_TIMEOUT_MS, killSignal: 'SIGKILL' });
  if (r.error || r.status !== 0) throw new Error(`${what} failed (${r.error ? r.error.message : `exit ${r.status}`}): ${cmd} ${args.join(' ')}`);
}

/**
 * Installs in place (a virtualenv cannot move: its scripts name their own folder) and writes a stamp last, so an
 * interrupted install is never taken as done: it is wiped and done again.
 */
function installOnce(dir, probe, install) {
  const stamp = join(dir, '.installed');
  if (existsSync(stamp) && existsSync(join(dir, probe))) return join(dir, probe);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  install(dir);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  return join(dir, probe);
}

/** The `pre-commit` executable, from PyPI into a virtualenv of its own (python3 with venv and pip needed). */
export function ensurePreCommit() {
  return installOnce(cacheDir(`pre-commit-${PRE_COMMIT_VERSION}`), join('bin', 'pre-commit'), (dir) => {
    process.stderr.write(`tools: installing pre-commit ${PRE_COMMIT_VERSION} from PyPI into ${dir}\n`);
    step('python3', ['-m', 'venv', dir], 'python3 -m venv');
    step(join(dir, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `pre-commit==${PRE_COMMIT_VERSION}`], 'pip install pre-commit');
  });
}

/** The gitlab-ci-local entry script (run it with node), from npm. It copies each job's files with rsync. */
export function ensureGitlabCiLocal() {
  if (spawnSync('rsync', ['--version'], { stdio: 'ignore' }).status !== 0) throw new Error('gitlab-ci-local needs rsync on PATH (Debian: apt-get install rsync)');
  return installOnce(cacheDir(`gitlab-ci-local-${GITLAB_CI_LOCAL_VERSION}`), join('node_modules', 'gitlab-ci-local', 'src', 'index.js'), (dir) => {
    process.stderr.write(`tools: installing gitlab-ci-local ${GITLAB_CI_LOCAL_VERSION} from npm into ${dir}\n`);
    step('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', `gitlab-ci-local@${GITLAB_CI_LOCAL_VERSION}`], 'npm install gitlab-ci-local');
  });
}

/** The `act` executable (a local GitHub Actions runner), built with `go install` from its module at ACT_VERSION. */
export function ensureAct() {
  return installOnce(cacheDir(`act-${ACT_VERSION}`), 'act', (dir) => {
    process.stderr.write(`tools: building act ${ACT_VERSION} from its Go module into ${dir} (first run: minutes on 2 cores)\n`);
    const r = spawnSync('go', ['install', `github.com/nektos/act@${ACT_VERSION}`], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, GOBIN: dir, GOFLAGS: '-buildvcs=false' }, timeout: 3 * INSTALL_TIMEOUT_MS, killSignal: 'SIGKILL' });
    if (r.error || r.status !== 0) throw new Error(`go install github.com/nektos/act@${ACT_VERSION} failed (${r.error ? r.error.message : `exit ${r.status}`})`);
  });
}

const TOOLS = { 'pre-commit': ensurePreCommit, 'gitlab-ci-local': ensureGitlabCiLocal, act: ensureAct };

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(TOOLS);
  try {
    for (const name of names) {
      if (!TOOLS[name]) throw new Error(`unknown tool "${name}" (${Object.keys(TOOLS).join(' or ')})`);
      process.stdout.write(`${name} ${TOOLS[name]()}\n`);
    }
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
