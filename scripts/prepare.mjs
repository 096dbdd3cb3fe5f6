// npm's `prepare` script. npm runs it after `npm install` in a clone and when it installs this package from git or a
// folder (pre-commit's `language: node` does: `npm install -g git+file://<hook repo>`, then packs it running only
// `prepare`): that is when dist/ must be built, or the installed `pipeline-rbac` points at nothing. `npm pack` and
// `npm publish` run it too, right after `prepack` built the same bundles, so it does nothing there.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.env.npm_command === 'pack' || process.env.npm_command === 'publish') process.exit(0);
const r = spawnSync(process.execPath, [fileURLToPath(new URL('build.mjs', import.meta.url)), '--production'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
