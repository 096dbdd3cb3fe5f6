import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { corpus } from '../../bench/corpus';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const FIX = join(ROOT, 'test/fixtures/rbac');

function cli(args: string[], cwd = ROOT, input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent' }, ...(input !== undefined ? { input } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Screen-clearing ESC sequence, CR, and a LF that would start a GitHub Actions workflow command. */
const HOSTILE = '\u001b[2J\rNo problems in 1 file.\n::error::x';
const hostileRole = `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: ci, namespace: team-a}\nrules:\n  - apiGroups: [""]\n    resources: [${JSON.stringify(HOSTILE)}]\n    verbs: ["get"]\n`;
/** A control character a terminal or log viewer would act on (LF only between our own lines). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

interface JsonReport {
  files: { path: string; findings: { ruleId: string; severity: string; line: number; column: number; message: string }[] }[];
}

describe('pipeline-rbac check (dist/cli.js)', () => {
  it('--help prints usage and exits 0; no command exits 2', () => {
    const help = cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /pipeline-rbac check/);
    assert.equal(cli([]).code, 2);
  });

  it('reports risks in text like eslint and exits 0 when nothing is an error', () => {
    const r = cli(['check', join(FIX, 'risky-ci-role.yaml'), '--disable', 'not-held']);
    assert.match(r.stdout, /risky-ci-role\.yaml/);
    assert.match(r.stdout, /^\s+10:\d+\s+warning\s+.*wildcard$/m, r.stdout);
    assert.match(r.stdout, /secrets-read/);
    assert.match(r.stdout, /pods-exec/);
    assert.match(r.stdout, /problems? \(/);
  });

  it('json output has 1-based positions on the exact item', () => {
    const r = cli(['check', join(FIX, 'risky-ci-role.yaml'), '--format', 'json']);
    const report = JSON.parse(r.stdout) as JsonReport;
    const wildcard = report.files[0]!.findings.find((f) => f.ruleId === 'wildcard')!;
    assert.equal(wildcard.line, 10);
    const text = readFileSync(join(FIX, 'risky-ci-role.yaml'), 'utf8').split('\n')[9]!;
    assert.equal(text.slice(wildcard.column - 1, wildcard.column + 2), '"*"');
  });

  it('--held-rules predicts the apiserver rejection (not-held) and exits 1', () => {
    const r = cli(['check', join(FIX, 'risky-ci-role.yaml'), '--held-rules', join(FIX, 'developer-held.yaml'), '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const notHeld = (JSON.parse(r.stdout) as JsonReport).files[0]!.findings.filter((f) => f.ruleId === 'not-held');
    assert.ok(notHeld.length >= 2, JSON.stringify(notHeld));
    assert.ok(notHeld.some((f) => /secrets/.test(f.message) && /get|list/.test(f.message)));
    assert.ok(notHeld.every((f) => f.severity === 'error'));
  });

  it('a Role within the held rules passes with exit 0', () => {
    const r = cli(['check', join(FIX, 'least-privilege-role.yaml'), '--held-rules', join(FIX, 'developer-held.yaml')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('SARIF 2.1.0 carries every rule in tool.driver.rules and 1-based regions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prb-sarif-'));
    const out = join(dir, 'out.sarif');
    const r = cli(['check', 'test/fixtures/rbac/risky-ci-role.yaml', '--format', 'sarif', '--output', out]);
    assert.equal(r.stdout, '');
    const sarif = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    const ids: string[] = run.tool.driver.rules.map((x: { id: string }) => x.id);
    assert.ok(ids.includes('not-held') && ids.includes('wildcard') && ids.includes('unused-permission'));
    const res = run.results.find((x: { ruleId: string }) => x.ruleId === 'wildcard');
    assert.equal(ids[res.ruleIndex], 'wildcard');
    assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, 'test/fixtures/rbac/risky-ci-role.yaml');
    assert.equal(res.locations[0].physicalLocation.region.startLine, 10);
    assert.equal(res.level, 'warning');
  });

  it('usage and I/O errors exit 2 with a message that says what and where', () => {
    const missing = cli(['check', 'no/such/file.yaml']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no\/such\/file\.yaml: no such file or directory/);
    const badFormat = cli(['check', FIX, '--format', 'xml']);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--format must be one of text, json, sarif/);
    const badRule = cli(['check', FIX, '--disable', 'no-such-rule']);
    assert.equal(badRule.code, 2);
    assert.match(badRule.stderr, /unknown rule id "no-such-rule"/);
    const dir = mkdtempSync(join(tmpdir(), 'prb-held-'));
    writeFileSync(join(dir, 'held.yaml'), 'kind: Role\nrules: [\n');
    const badHeld = cli(['check', FIX, '--held-rules', join(dir, 'held.yaml')]);
    assert.equal(badHeld.code, 2);
    assert.match(badHeld.stderr, /--held-rules .*held\.yaml:\d+:\d+/);
  });

  it('text output escapes control characters from YAML values and file names; json keeps the exact value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prb-esc-'));
    writeFileSync(join(dir, 'role.yaml'), hostileRole);
    writeFileSync(join(dir, 'x\n::error::y\u001b[1m.yaml'), hostileRole);
    const r = cli(['check', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!RAW_CONTROL.test(r.stdout), `raw control characters in ${JSON.stringify(r.stdout)}`);
    for (const line of r.stdout.split('\n')) {
      assert.ok(!line.trimStart().startsWith('::'), `a line is a workflow command: ${JSON.stringify(line)}`);
      assert.notEqual(line, 'No problems in 1 file.');
    }
    assert.ok(r.stdout.includes('Resource "\\e[2J\\rNo problems in 1 file.\\n::error::x"'), r.stdout);
    assert.ok(r.stdout.includes('x\\n::error::y\\e[1m.yaml'), r.stdout);
    const named = cli(['check', '-', '--stdin-filename', '::error::z.yaml'], ROOT, hostileRole);
    assert.match(named.stdout, /^\.\/::error::z\.yaml$/m, 'a path line never starts with "::"');
    assert.ok(!/^\s*::/m.test(named.stdout), named.stdout);
    const json = JSON.parse(cli(['check', join(dir, 'role.yaml'), '--format', 'json']).stdout) as JsonReport;
    assert.ok(json.files[0]!.findings.some((f) => f.message.includes(HOSTILE)), 'json carries the value itself');
  });

  it('an operand that matches no file exits 2 (a CI gate must not pass on zero files)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'prb-empty-'));
    const r = cli(['check', empty]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no files match .*prb-empty-\w+ \(a directory is searched for \*\.yaml, \*\.yml and \*\.json files\)/);
    writeFileSync(join(empty, 'notes.txt'), 'kind: Role\n');
    assert.equal(cli(['check'], empty).code, 2, 'no operand: the working directory, which has no YAML');
    mkdirSync(join(empty, 'rbac'));
    writeFileSync(join(empty, 'rbac', 'role.yaml'), hostileRole);
    assert.equal(cli(['check', 'rbac', '.'], empty).code, 0, 'the same folder with a YAML file is checked');
    assert.equal(cli(['check', 'rbac', 'nothing/'], empty).code, 2, 'every operand must match');
    assert.equal(cli(['check', '/dev/null']).code, 2, 'not a regular file');
  });

  it('"-" checks standard input, named by --stdin-filename in text, json and sarif', () => {
    const risky = readFileSync(join(FIX, 'risky-ci-role.yaml'), 'utf8');
    const held = ['--held-rules', join(FIX, 'developer-held.yaml')];
    const text = cli(['check', '-', ...held], ROOT, risky);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /^<stdin>$/m);
    assert.match(text.stdout, /not-held/);
    const json = cli(['check', '-', '--stdin-filename', 'chart/templates/rbac.yaml', '--format', 'json', ...held], ROOT, risky);
    const report = JSON.parse(json.stdout) as JsonReport;
    assert.deepEqual(report.files.map((f) => f.path), ['chart/templates/rbac.yaml']);
    const fromFile = JSON.parse(cli(['check', join(FIX, 'risky-ci-role.yaml'), '--format', 'json', ...held]).stdout) as JsonReport;
    assert.deepEqual(report.files[0]!.findings, fromFile.files[0]!.findings, 'the same findings as the file');
    const sarif = JSON.parse(cli(['check', '-', '--stdin-filename', 'chart/templates/rbac.yaml', '--format', 'sarif'], ROOT, risky).stdout) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[] }[] }[];
    };
    assert.deepEqual(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation, { uri: 'chart/templates/rbac.yaml', uriBaseId: '%SRCROOT%' });
    const both = JSON.parse(cli(['check', '-', join(FIX, 'risky-ci-role.yaml'), '--format', 'json'], ROOT, risky).stdout) as JsonReport;
    assert.equal(both.files.length, 2, 'files and standard input together');
  });

  it('standard input: empty, twice, or a name without "-" exit 2; an input over the size limit is refused before reading', () => {
    const empty = cli(['check', '-'], ROOT, '\n  \n');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /standard input is empty/);
    assert.equal(cli(['check', '-', '-'], ROOT, 'kind: Role\n').code, 2);
    const orphan = cli(['check', FIX, '--stdin-filename', 'x.yaml']);
    assert.equal(orphan.code, 2);
    assert.match(orphan.stderr, /--stdin-filename names standard input/);
    const dir = mkdtempSync(join(tmpdir(), 'prb-big-'));
    writeFileSync(join(dir, 'big.yaml'), '');
    truncateSync(join(dir, 'big.yaml'), 32 * 1024 * 1024 + 1); // sparse: nothing is written, the size is what counts
    const big = cli(['check', join(dir, 'big.yaml')]);
    assert.equal(big.code, 2);
    assert.match(big.stderr, /big\.yaml \(33554433 bytes\) holds more than 33554432 bytes, the limit for one input/);
  });

  it('--jobs 2 (worker threads) reports exactly what one thread does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prb-jobs-'));
    for (const f of corpus(5, 6, 40)) writeFileSync(join(dir, f.name), f.text);
    writeFileSync(join(dir, 'bad.yaml'), 'kind: Role\nrules: [\n');
    const one = cli(['check', dir, '--format', 'json', '--jobs', '1', '--held-rules', join(FIX, 'developer-held.yaml')]);
    const two = cli(['check', dir, '--format', 'json', '--jobs', '2', '--held-rules', join(FIX, 'developer-held.yaml')]);
    assert.equal(two.code, one.code);
    const report = JSON.parse(two.stdout) as JsonReport;
    assert.equal(report.files.length, 7);
    assert.ok(report.files.reduce((n, f) => n + f.findings.length, 0) > 50);
    assert.deepEqual(report, JSON.parse(one.stdout));
    assert.equal(cli(['check', dir, '--jobs', '0']).code, 2);
  });

  it('--manifests flags what no manifest needs (unused-permission), on one thread and on two', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prb-manifests-'));
    writeFileSync(join(dir, 'app.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n');
    const args = ['check', join(FIX, 'least-privilege-role.yaml'), '--manifests', join(dir, '*.yaml'), '--format', 'json'];
    for (const jobs of ['1', '2']) {
      const r = cli([...args, '--jobs', jobs]);
      const unused = (JSON.parse(r.stdout) as JsonReport).files[0]!.findings.filter((f) => f.ruleId === 'unused-permission');
      assert.deepEqual(unused.map((f) => f.message), ['configmaps (core) is not deployed by any of the pipeline\'s manifests'], r.stdout);
    }
  });

  it('checks a RoleBinding against its Role in another checked file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prb-xfile-'));
    const role = (verbs: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: ci, namespace: team-a}\nrules:\n  - apiGroups: [""]\n    resources: ["secrets"]\n    verbs: ${verbs}\n`;
    writeFileSync(join(dir, 'binding.yaml'), 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: ci, namespace: team-a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ci}\nsubjects: [{kind: ServiceAccount, name: ci, namespace: team-a}]\n');
    const held = ['--held-rules', join(FIX, 'developer-held.yaml'), '--format', 'json'];
    const bindingFindings = (jobs: string) => {
      const r = cli(['check', dir, ...held, '--jobs', jobs]);
      return (JSON.parse(r.stdout) as JsonReport).files.find((f) => f.path.endsWith('binding.yaml'))!.findings.filter((f) => f.ruleId === 'binding-not-held');
    };
    writeFileSync(join(dir, 'role.yaml'), role('["create", "delete"]'));
    for (const jobs of ['1', '2']) assert.deepEqual(bindingFindings(jobs), [], 'the developer holds what the Role grants');
    writeFileSync(join(dir, 'role.yaml'), role('["get", "create"]'));
    for (const jobs of ['1', '2']) {
      const f = bindingFindings(jobs);
      assert.equal(f.length, 1);
      assert.equal(f[0]!.severity, 'error');
      assert.match(f[0]!.message, /Resources:\["secrets"\], Verbs:\["get"\]/);
    }
  });

  it('a syntax error is a finding with its position, not a crash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prb-syntax-'));
    writeFileSync(join(dir, 'bad.yaml'), 'kind: Role\nmetadata: {name: x\n');
    const r = cli(['check', join(dir, 'bad.yaml'), '--format', 'json']);
    assert.equal(r.code, 1);
    const f = (JSON.parse(r.stdout) as JsonReport).files[0]!.findings.find((x) => x.ruleId === 'yaml-syntax');
    assert.ok(f, r.stdout);
    assert.ok(f.line >= 2);
  });
});

it('every command and subcommand answers --help and -h with its usage (exit 0)', () => {
  const commands = [['check'], ['reach'], ['identities'], ['identity'], ...['create', 'rotate', 'revoke', 'manifests', 'oidc', 'verify'].map((s) => ['identity', s])];
  for (const c of commands) {
    for (const flag of ['--help', '-h']) {
      const r = cli([...c, flag]);
      assert.equal(r.code, 0, `${c.join(' ')} ${flag}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stdout, /Usage:/, `${c.join(' ')} ${flag}`);
      assert.equal(r.stderr, '', `${c.join(' ')} ${flag}`);
    }
  }
  assert.match(cli(['check', '--help']).stdout, /--baseline FILE/);
});

it('--live without a kubeconfig fails before checking and does not claim to fall back (exit 2)', () => {
  const r = cli(['check', 'examples/ci/least-privilege-role.yaml', '--live', '--kubeconfig', '/nonexistent/kubeconfig']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
  assert.doesNotMatch(r.stderr, /Offline checks only/);
  assert.match(r.stderr, /^pipeline-rbac: --live: .*kubeconfig.*\(nothing was checked; without --live the checks run offline\)/);
});
