// npm's `prepare` script. npm runs it after `npm install` in a clone and when it installs this package from git or a
// folder (pre-commit's `language: node` does: `npm install -g git+file://<hook repo>`, then packs it running only
// `prepare`): that is when dist/ must be built, or the installed `pipeline-rbac` points at nothing. `npm pack` and
// `npm publish` run it too, right after `prepack` built the same bundles, so it does nothing there.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

if (process.env.npm_command === 'pack' || process.env.npm_command === 'publish') process.exit(0);

if (!resolvable('esbuild')) {
  // A git dependency of a global install (`npm install -g git+...`, what pre-commit runs) gets no devDependencies:
  // npm hands its own config, `global` included, to the nested `npm install` that should put them into the clone,
  // so that install goes global instead. Install them here, exactly as the lockfile pins them, not globally; without
  // scripts, which would run this one again.
  const env = { ...process.env, npm_config_global: 'false' };
  delete env.NPM_CONFIG_GLOBAL;
  const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
  const ci = spawnSync(npm[0], [...npm[1], 'ci', '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: root, env, stdio: 'inherit' });
  if (ci.status !== 0) process.exit(ci.status ?? 1);
}
const r = spawnSync(process.execPath, [fileURLToPath(new URL('build.mjs', import.meta.url)), '--production'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);

function resolvable(name) {
  try {
    createRequire(new URL('package.json', new URL('..', import.meta.url))).resolve(name);
    return true;
  } catch {
    return false;
  }
}
