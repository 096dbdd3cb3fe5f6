import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { corpus } from '../../bench/corpus';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const FIX = join(ROOT, 'test/fixtures/rbac');

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

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
