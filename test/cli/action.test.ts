// The GitHub Action (action.yml) under the runner's documented contract: its composite step runs action/main.mjs with
// each input as INPUT_<NAME> (what `${{ inputs.x }}` evaluates to: the value given in `with:`, else the default),
// GITHUB_WORKSPACE, RUNNER_TEMP, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY set; we check what it writes there and on
// stdout (workflow commands). The action path is a copy of the repository files without dist/, as a tagged release
// is, so the action installs the pipeline-rbac package of its own version from a registry (a loopback stand-in).
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { FakeNpmRegistry } from '../fakes/npmRegistry';
import { FIX, nodeOnlyEnv, pack, ROOT, run, tempDir, VERSION } from './helpers/packaged';

interface ActionYml {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id?: string; run?: string; shell?: string; env?: Record<string, string> }[] };
}
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;

/** GitHub's name for an input's variable: INPUT_ + the name upper-cased, spaces as _ (hyphens stay). */
const inputVar = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** Parses GITHUB_OUTPUT: name=value lines and name<<DELIMITER blocks. */
function outputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) out[lines[i]!.slice(0, lines[i]!.indexOf('='))] = lines[i]!.slice(lines[i]!.indexOf('=') + 1);
  }
  return out;
}

describe('GitHub Action (action.yml, the runner contract)', () => {
  const tmp = tempDir('prb-action-');
  const actionPath = join(tmp, 'action');
  const runnerTemp = join(tmp, 'runner-temp');
  const registry = new FakeNpmRegistry();

  before(async () => {
    const { tarball } = await pack(tmp, false);
    await registry.start();
    registry.publish(tarball);
    mkdirSync(actionPath);
    for (const f of ['action.yml', 'package.json']) copyFileSync(join(ROOT, f), join(actionPath, f));
    cpSync(join(ROOT, 'action'), join(actionPath, 'action'), { recursive: true });
    mkdirSync(runnerTemp);
  });
  after(() => registry.stop());

  /** One run of the step as the runner would start it, in a fresh workspace holding `files`. */
  async function runAction(name: string, withInputs: Record<string, string>, files: Record<string, string>) {
    const workspace = join(tmp, name);
    mkdirSync(workspace);
    for (const [f, text] of Object.entries(files)) writeFileSync(join(workspace, f), text);
    const step = action.runs.steps[0]!;
    const env = nodeOnlyEnv(join(tmp, 'home'), { npm_config_registry: registry.url, KUBECONFIG: join(tmp, 'none') });
    // The step's env mapping, evaluated as the runner does: `${{ inputs.NAME }}` is the given value, else the default.
    for (const [k, v] of Object.entries(step.env ?? {})) {
      const m = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(v);
      assert.ok(m, `${k}: ${v}`);
      env[k] = withInputs[m[1]!] ?? action.inputs[m[1]!]!.default ?? '';
    }
    Object.assign(env, {
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: runnerTemp,
      GITHUB_OUTPUT: join(tmp, `${name}.output`),
      GITHUB_STEP_SUMMARY: join(tmp, `${name}.summary.md`),
    });
    const r = await run('bash', ['-e', '-c', step.run!], { cwd: workspace, env, timeoutMs: 180_000 });
    const summary = existsSync(env.GITHUB_STEP_SUMMARY!) ? readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8') : '';
    return { ...r, outputs: outputs(env.GITHUB_OUTPUT!), summary };
  }

  it('is a composite action whose step gets every input as INPUT_<NAME> and whose outputs are that step\'s', () => {
    assert.equal(action.runs.using, 'composite');
    const step = action.runs.steps[0]!;
    assert.equal(step.shell, 'bash');
    assert.deepEqual(Object.keys(step.env ?? {}).sort(), Object.keys(action.inputs).map(inputVar).sort());
    for (const name of Object.keys(action.inputs)) assert.equal(step.env![inputVar(name)], `\${{ inputs.${name} }}`);
    for (const [name, o] of Object.entries(action.outputs)) assert.equal(o.value, `\${{ steps.${step.id}.outputs.${name} }}`);
  });

  it('fails on an error, annotates it, writes the SARIF path, the counts and a summary table', async () => {
    const broad = readFileSync(join(FIX, 'risky-ci-role.yaml'), 'utf8');
    const r = await runAction('broad', { paths: 'rbac.yaml', 'held-rules': 'held.yaml' }, { 'rbac.yaml': broad, 'held.yaml': readFileSync(join(FIX, 'developer-held.yaml'), 'utf8') });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^::error file=rbac\.yaml,line=\d+,col=\d+,.*not-held/m);
    const sarif = JSON.parse(readFileSync(r.outputs['sarif-file']!, 'utf8'));
    assert.equal(r.outputs['sarif-file'], join(runnerTemp, 'pipeline-rbac.sarif'));
    const results = sarif.runs[0].results as { ruleId: string; level: string }[];
    assert.equal(Number(r.outputs.errors), results.filter((x) => x.level === 'error').length);
    assert.ok(Number(r.outputs.errors) >= 2 && Number(r.outputs.warnings) >= 1, JSON.stringify(r.outputs));
    assert.match(r.summary, /^### Pipeline RBAC$/m);
    assert.match(r.summary, /^✖ \d+ problems \\\(\d+ errors\\, \d+ warnings\\, \d+ info\\\) in 1 file$/m, r.summary);
    assert.match(r.summary, /^\| error \| \[not\\-held\]\(https:\/\/[^)]+\) \| rbac\\\.yaml:\d+ \| .+ \|$/m);
    assert.deepEqual([...new Set(registry.requests)], ['GET /pipeline-rbac', `GET /pipeline-rbac/-/pipeline-rbac-${VERSION}.tgz`], 'installed the action\'s own version');
  });

  it('passes a clean Role: exit 0, no error annotation, zero errors', async () => {
    const r = await runAction('clean', { paths: 'rbac.yaml', 'held-rules': 'held.yaml' }, {
      'rbac.yaml': readFileSync(join(FIX, 'least-privilege-role.yaml'), 'utf8'),
      'held.yaml': readFileSync(join(FIX, 'developer-held.yaml'), 'utf8'),
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /^::error/m);
    assert.equal(r.outputs.errors, '0');
    assert.match(r.summary, /^✖ 1 problem \\\(0 errors\\, 0 warnings\\, 1 info\\\) in 1 file$/m, r.summary);
  });

  it('a Role without findings: "No problems" and an empty SARIF result list', async () => {
    const role = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: ci, namespace: team-a}\nrules:\n  - apiGroups: [""]\n    resources: ["configmaps"]\n    verbs: ["get"]\n';
    const r = await runAction('no-findings', {}, { 'rbac.yaml': role });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.summary, /^No problems in 1 file\\\.$/m, r.summary);
    assert.deepEqual(JSON.parse(readFileSync(r.outputs['sarif-file']!, 'utf8')).runs[0].results, []);
    assert.deepEqual([r.outputs.errors, r.outputs.warnings, r.outputs.notes], ['0', '0', '0']);
  });

  it('with a baseline, passes on the baselined findings and fails only on a new error', async () => {
    const held = readFileSync(join(FIX, 'developer-held.yaml'), 'utf8');
    const risky = readFileSync(join(FIX, 'risky-ci-role.yaml'), 'utf8');
    const workspace = join(tmp, 'baseline-src');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'rbac.yaml'), risky);
    writeFileSync(join(workspace, 'held.yaml'), held);
    const write = await run(process.execPath, [join(ROOT, 'dist/cli.js'), 'check', 'rbac.yaml', '--held-rules', 'held.yaml', '--write-baseline', 'base.json'], { cwd: workspace, env: nodeOnlyEnv(join(tmp, 'home')) });
    assert.ok(write.code === 0 || write.code === 1, write.stderr);
    const baseline = readFileSync(join(workspace, 'base.json'), 'utf8');

    const same = await runAction('baseline-same', { paths: 'rbac.yaml', 'held-rules': 'held.yaml', baseline: 'base.json' }, { 'rbac.yaml': risky, 'held.yaml': held, 'base.json': baseline });
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.summary, /^No new problems in 1 file\\; \d+ findings in the baseline not shown\\\.$/m, same.summary);
    assert.equal(same.outputs.errors, '0');

    const impersonate = '  - apiGroups: [""]\n    resources: ["users"]\n    verbs: ["impersonate"]\n';
    const grown = await runAction('baseline-new', { paths: 'rbac.yaml', 'held-rules': 'held.yaml', baseline: 'base.json' }, { 'rbac.yaml': risky.trimEnd() + '\n' + impersonate, 'held.yaml': held, 'base.json': baseline });
    assert.equal(grown.code, 1, grown.stdout + grown.stderr);
    const annotations = grown.stdout.split('\n').filter((l) => l.startsWith('::error '));
    assert.ok(annotations.length >= 1 && annotations.every((l) => /impersonate/.test(l)), annotations.join('\n'));
    assert.match(grown.summary, /^✖ \d+ new problems? .*\\; \d+ findings in the baseline not shown$/m, grown.summary);
  });

  it('keeps hostile YAML values text in the summary: one row per finding, four cells, no markup', async () => {
    const hostile = 'x | y](https://evil.example)<img src=x>\n| forged | row |';
    const role = `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: ci, namespace: team-a}\nrules:\n  - apiGroups: [""]\n    resources: [${JSON.stringify(hostile)}, "secrets"]\n    verbs: ["get"]\n`;
    const r = await runAction('hostile', { paths: 'rbac.yaml' }, { 'rbac.yaml': role });
    const rows = r.summary.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| severity') && !l.startsWith('| ---'));
    assert.ok(rows.length >= 1, r.summary);
    for (const row of rows) assert.equal(row.split(/(?<!\\)\|/).length - 2, 4, row);
    assert.doesNotMatch(r.summary, /(?<!\\)<img|(?<!\\)\]\(https:\/\/evil/);
    assert.match(r.stdout, /^::/m);
  });

  it('a bad input fails the step with an error annotation that says which', async () => {
    const r = await runAction('bad-input', { live: 'yes' }, { 'rbac.yaml': readFileSync(join(FIX, 'least-privilege-role.yaml'), 'utf8') });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^::error title=pipeline-rbac::input "live" must be true or false, not "yes"$/m);
  });
});
