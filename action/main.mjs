// The GitHub Action's entry: action.yml runs it with the inputs as INPUT_* variables (named as GitHub names them for
// JavaScript actions: upper case, spaces as _, hyphens kept). It gets the CLI, runs `pipeline-rbac check` once for
// the SARIF report and once for the pull request's annotations (workflow commands on stdout), writes the job
// summary and the step's outputs, and exits with the check's code: 1 on (new) error findings, which fails the job.
//
// The CLI: this repository's dist/cli.js when the checkout was built (`uses: ./` after `npm ci && npm run build`),
// else the pipeline-rbac npm package of this action's own version (or the `version` input), installed with npm
// into $RUNNER_TEMP. dist/ is not committed, so a tagged release of the action runs the same release from npm.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countsOf, findingsOf, summaryMarkdown } from './summary.mjs';

const ACTION_ROOT = fileURLToPath(new URL('..', import.meta.url));
const INSTALL_TIMEOUT_MS = 5 * 60_000;

class ActionError extends Error {}

/** An input as @actions/core reads it: INPUT_<NAME>, trimmed. */
function input(name) {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function booleanInput(name) {
  const v = input(name);
  if (['', 'false', 'False', 'FALSE'].includes(v)) return false;
  if (['true', 'True', 'TRUE'].includes(v)) return true;
  throw new ActionError(`input "${name}" must be true or false, not "${v}"`);
}

const listInput = (name) => input(name).split(/\s+/).filter(Boolean);

/** The `check` arguments the inputs ask for, without the output format. */
function checkArgs() {
  const paths = listInput('paths');
  const args = ['check', ...(paths.length ? paths : ['.'])];
  if (booleanInput('live')) args.push('--live');
  for (const [name, flag] of [['context', '--context'], ['held-rules', '--held-rules'], ['deployer', '--deployer'], ['config', '--config'], ['baseline', '--baseline']]) {
    if (input(name)) args.push(flag, input(name));
  }
  for (const m of listInput('manifests')) args.push('--manifests', m);
  return args;
}

function npm(args) {
  // npm is a .cmd script on Windows, which Node only starts through a shell; the arguments are checked names and paths.
  const win = process.platform === 'win32';
  return spawnSync(win ? 'npm.cmd' : 'npm', win ? args.map((a) => `"${a}"`) : args, { stdio: ['ignore', 2, 2], shell: win, timeout: INSTALL_TIMEOUT_MS, killSignal: 'SIGKILL' });
}

/** Path of the CLI's dist/cli.js. */
function cliPath() {
  const own = JSON.parse(readFileSync(join(ACTION_ROOT, 'package.json'), 'utf8')).version;
  const version = input('version') || own;
  const built = join(ACTION_ROOT, 'dist', 'cli.js');
  if (version === own && existsSync(built)) return built;
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) throw new ActionError(`input "version" must be a version such as ${own}, not "${version}"`);
  const prefix = join(process.env.RUNNER_TEMP || tmpdir(), `pipeline-rbac-${version}`);
  const cli = join(prefix, 'node_modules', 'pipeline-rbac', 'dist', 'cli.js');
  if (!existsSync(cli)) {
    const r = npm(['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `pipeline-rbac@${version}`]);
    if (r.status !== 0 || !existsSync(cli)) throw new ActionError(`npm install pipeline-rbac@${version} failed (${r.error ? r.error.message : `exit ${r.status}`})`);
  }
  return cli;
}

/** Appends name=value to GITHUB_OUTPUT in the multi-line form, whose delimiter no value can contain. */
function setOutput(name, value) {
  if (!process.env.GITHUB_OUTPUT) return;
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(process.env.GITHUB_OUTPUT, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

function appendSummary(markdown) {
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown);
}

function main() {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const args = checkArgs();
  const sarifFile = resolve(workspace, input('sarif-file') || join(process.env.RUNNER_TEMP || tmpdir(), 'pipeline-rbac.sarif'));
  const cli = cliPath();
  // The CLI gets the job's environment (a live check's kubeconfig may run an exec plugin that needs it), not the inputs.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INPUT_')));
  const check = (extra, stdout = 'inherit') =>
    spawnSync(process.execPath, [cli, ...args, ...extra], { cwd: workspace, env, stdio: ['ignore', stdout, 'inherit'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

  const report = check(['--format', 'sarif', '--output', sarifFile]);
  if (report.status !== 0 && report.status !== 1) {
    appendSummary('### Pipeline RBAC\n\nThe check could not run: see the log of this step.\n');
    return report.status ?? 2;
  }
  // Its stdout goes on to the runner (which reads the workflow commands); its last line is the CLI's summary.
  const annotated = check(['--format', 'github'], 'pipe');
  process.stdout.write(annotated.stdout ?? '');
  if (annotated.status !== report.status) throw new ActionError(`the annotation run exited ${annotated.status}, the report run ${report.status}`);
  const headline = (annotated.stdout ?? '').trimEnd().split('\n').at(-1) ?? '';

  const findings = findingsOf(JSON.parse(readFileSync(sarifFile, 'utf8')));
  appendSummary(summaryMarkdown(findings, headline));
  const counts = countsOf(findings);
  setOutput('sarif-file', sarifFile);
  for (const [name, n] of Object.entries(counts)) setOutput(name, String(n));
  return report.status;
}

try {
  process.exitCode = main();
} catch (err) {
  // A workflow command, so the message shows on the run's page; its text is ours or a path from the inputs.
  const text = err instanceof ActionError ? err.message : (err?.stack ?? String(err));
  process.stdout.write(`::error title=pipeline-rbac::${text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`);
  process.exitCode = 2;
}
