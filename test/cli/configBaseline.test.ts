/** `check` with a repository config (.pipeline-rbac.yaml, --config) and a baseline (--baseline, --write-baseline, baseline:). */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, findingsOf, repo, RISKY, role, rule, ROOT, write } from './helpers/repo';

const entries = (dir: string, file = 'baseline.json') => (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { findings: { ruleId: string }[] }).findings;

describe('check --baseline / --write-baseline', () => {
  it('reports only new findings, exits 0 when nothing new appears, and survives re-indentation and edits elsewhere', () => {
    const dir = repo({ 'rbac/role.yaml': RISKY });
    const w = cli(['check', 'rbac', '--write-baseline', 'baseline.json'], dir);
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stderr, /wrote 3 finding\(s\) to the baseline baseline\.json/);
    assert.equal(entries(dir).length, 3);
    let r = cli(['check', 'rbac', '--baseline', 'baseline.json'], dir);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^No new problems in 1 file; 3 findings in the baseline not shown\.$/m);
    // Re-indented, a comment and a new harmless rule above: still nothing new.
    write(dir, 'rbac/role.yaml', '# deploy role\n' + RISKY.replace(/\n {2}/g, '\n    ').replace('rules:\n', 'rules:\n' + rule('""', '"configmaps"', '"get"').replace(/\n {2}/g, '\n    ').replace(/^ {2}/, '    ')));
    r = cli(['check', 'rbac', '--baseline', 'baseline.json', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(findingsOf(r.stdout), []);
    assert.equal((JSON.parse(r.stdout) as { baselined: number }).baselined, 3);
    // A new grant is new.
    write(dir, 'rbac/role.yaml', RISKY + rule('""', '"pods/exec"', '"create"'));
    r = cli(['check', 'rbac', '--baseline', 'baseline.json', '--format', 'json'], dir);
    assert.deepEqual(findingsOf(r.stdout).map((f) => f.ruleId), ['pods-exec']);
  });

  it('exit 1 only for new errors: a baselined error passes, a new one fails', () => {
    const dir = repo({ 'rbac/role.yaml': RISKY, 'held.yaml': role(rule('""', '"pods"', '"get"'), 'held') });
    const args = ['check', 'rbac', '--held-rules', 'held.yaml'];
    assert.equal(cli(args, dir).code, 1);
    assert.equal(cli([...args, '--write-baseline', 'b.json'], dir).code, 0);
    assert.equal(cli([...args, '--baseline', 'b.json'], dir).code, 0);
    write(dir, 'rbac/role.yaml', RISKY + rule('""', '"configmaps"', '"delete"'));
    const r = cli([...args, '--baseline', 'b.json', '--format', 'json'], dir);
    assert.equal(r.code, 1);
    assert.deepEqual(findingsOf(r.stdout).map((f) => f.ruleId), ['not-held']);
  });

  it('a fixed finding drops out on the next write', () => {
    const dir = repo({ 'rbac/role.yaml': RISKY });
    cli(['check', 'rbac', '--write-baseline', 'baseline.json'], dir);
    write(dir, 'rbac/role.yaml', role(rule('"apps"', '"deployments"', '"*"')));
    cli(['check', 'rbac', '--write-baseline', 'baseline.json'], dir);
    assert.deepEqual(entries(dir).map((e) => e.ruleId).sort(), ['wildcard', 'workload-create']);
  });

  it('the same fingerprints from another working directory (paths are relative to the baseline\'s folder)', () => {
    const dir = repo({ 'rbac/role.yaml': RISKY });
    cli(['check', 'rbac', '--write-baseline', 'baseline.json'], dir);
    const r = cli(['check', '.', '--baseline', '../baseline.json'], join(dir, 'rbac'));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /No new problems/);
  });

  it('a chart: fingerprints are taken on the rendered objects and survive an edit of another template line', () => {
    const dir = repo({});
    cpSync(join(ROOT, 'test/fixtures/render/chart-web'), join(dir, 'chart-web'), { recursive: true });
    assert.equal(cli(['check', 'chart-web', '--write-baseline', 'b.json'], dir).code, 0);
    const recorded = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as { findings: { ruleId: string; object?: string }[] };
    assert.ok(recorded.findings.some((f) => f.ruleId === 'pods-exec' && f.object !== undefined), JSON.stringify(recorded));
    const template = join(dir, 'chart-web/templates/role.yaml');
    writeFileSync(template, `# a comment moves every line\n${readFileSync(template, 'utf8')}`);
    const r = cli(['check', 'chart-web', '--baseline', 'b.json', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(findingsOf(r.stdout), []);
  });

  it('a missing, unreadable, foreign or other-version baseline fails with exit 2 and says so', () => {
    const dir = repo({ 'rbac/role.yaml': RISKY, 'junk.json': '{"x": 1}', 'old.json': '{"pipelineRbacBaseline": 0, "findings": []}', 'broken.json': '{"pipelineRbacBaseline": 1,' });
    const cases: [string, RegExp][] = [
      ['nope.json', /baseline nope\.json: no such file \(write one with --write-baseline FILE\)/],
      ['junk.json', /not a pipeline-rbac baseline \(no "pipelineRbacBaseline" version field\)/],
      ['old.json', /baseline version 0 .*is not the version this pipeline-rbac reads/],
      ['broken.json', /not a pipeline-rbac baseline \(not JSON/],
      ['rbac', /rbac: not a regular file/],
    ];
    for (const [file, message] of cases) {
      const r = cli(['check', 'rbac', '--baseline', file], dir);
      assert.equal(r.code, 2, file);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
    assert.equal(cli(['check', 'rbac', '--baseline', 'a.json', '--write-baseline', 'b.json'], dir).code, 2);
  });
});

describe('check with a repository config', () => {
  it('is found by walking up from the files checked; its rules change severities and turn rules off', () => {
    const dir = repo({ 'deploy/rbac/role.yaml': RISKY, '.pipeline-rbac.yaml': 'rules:\n  workload-create: off\n  secrets-read: error\n' });
    const r = cli(['check', 'deploy/rbac/role.yaml', '--format', 'json'], dir);
    assert.equal(r.code, 1, r.stderr);
    const f = findingsOf(r.stdout);
    assert.ok(!f.some((x) => x.ruleId === 'workload-create'));
    assert.equal(f.find((x) => x.ruleId === 'secrets-read')!.severity, 'error');
    // From a subfolder too, and --disable adds to it.
    const sub = cli(['check', '.', '--format', 'json', '--disable', 'secrets-read'], join(dir, 'deploy'));
    assert.equal(sub.code, 0);
    assert.deepEqual(findingsOf(sub.stdout).map((x) => x.ruleId), ['wildcard']);
  });

  it('stops at the repository root: a config above it is not used', () => {
    const outer = repo({ '.pipeline-rbac.yaml': 'rules: {wildcard: off}\n' });
    const inner = join(outer, 'inner');
    write(inner, '.git/HEAD', 'ref: refs/heads/main\n');
    write(inner, 'role.yaml', RISKY);
    assert.ok(findingsOf(cli(['check', '.', '--format', 'json'], inner).stdout).some((x) => x.ruleId === 'wildcard'));
  });

  it('--config FILE names it explicitly; flags override its keys', () => {
    const dir = repo({ 'role.yaml': role(rule('"apps"', '"deployments"', '"get", "create", "patch"')), 'ci/rbac.yaml': 'manifests: [../app/*.yaml]\n' });
    write(dir, 'conf/pr.yaml', 'manifests: [app/*.yaml]\ndeployer: helm\n');
    write(dir, 'conf/app/web.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: team-a}\n');
    let r = cli(['check', 'role.yaml', '--config', 'conf/pr.yaml', '--format', 'json'], dir);
    const missing = findingsOf(r.stdout).filter((x) => x.ruleId === 'missing-permission');
    assert.ok(missing.some((x) => /helm upgrade/.test(x.message)), r.stdout + r.stderr);
    r = cli(['check', 'role.yaml', '--config', 'conf/pr.yaml', '--deployer', 'kubectl', '--format', 'json'], dir);
    assert.ok(!findingsOf(r.stdout).some((x) => /helm/.test(x.message)), r.stdout);
  });

  it('a config error is exit 2 with file, line, column and what is wrong; nothing is checked', () => {
    const cases: [string, RegExp][] = [
      ['rules:\n  wildcard: error\n\tdeployer: helm\n', /\.pipeline-rbac\.yaml:3:1: invalid YAML: Tabs are not allowed as indentation/],
      ['deployer: helm\nmanifest: [a]\n', /\.pipeline-rbac\.yaml:2:1: unknown key "manifest"; the keys are rules, manifests/],
      ['rules:\n  wildcard: loud\n', /\.pipeline-rbac\.yaml:2:13: rules\.wildcard must be one of error, warning, information, hint, off, not "loud"/],
      ['deployVerbs: get\n', /\.pipeline-rbac\.yaml:1:14: "deployVerbs" must be a list of strings, not "get"/],
    ];
    for (const [text, message] of cases) {
      const dir = repo({ 'role.yaml': RISKY, '.pipeline-rbac.yaml': text });
      const r = cli(['check', 'role.yaml'], dir);
      assert.equal(r.code, 2, text);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /config file has problems; nothing was checked/);
      assert.equal(r.stdout, '');
    }
  });

  it('its baseline: is used, and a missing one is an error', () => {
    const dir = repo({ 'role.yaml': RISKY, '.pipeline-rbac.yaml': 'baseline: .pipeline-rbac-baseline.json\n' });
    let r = cli(['check', 'role.yaml'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /baseline "\.pipeline-rbac-baseline\.json": no such file .*write one with --write-baseline FILE/);
    assert.equal(cli(['check', 'role.yaml', '--write-baseline', '.pipeline-rbac-baseline.json'], dir).code, 0);
    r = cli(['check', 'role.yaml'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /No new problems in 1 file; 3 findings in the baseline not shown/);
  });

  it('never makes the CLI read outside the repository: paths that leave its folder or pass a link are refused', () => {
    const outside = repo({ 'held.yaml': role(rule('"*"', '"*"', '"*"'), 'all'), 'b.json': '{}' });
    const cases: [string, RegExp][] = [
      ['baseline: ../b.json\n', /baseline "\.\.\/b\.json": leaves the config's folder/],
      [`heldRules: ${join(outside, 'held.yaml')}\n`, /heldRules ".*held\.yaml": must be relative to the config's folder/],
      ['heldRules: link/held.yaml\n', /heldRules "link\/held\.yaml": passes through a symbolic link/],
      ['heldRules: held-link.yaml\n', /heldRules "held-link\.yaml": passes through a symbolic link/],
      ['manifests: ["../**/*.yaml"]\n', /manifests: "\.\.\/\*\*\/\*\.yaml" would match outside the config's folder/],
      // The only match is a link to a file outside: not followed, so nothing is deployed that the gate knows of.
      ['manifests: ["app/*.yaml"]\n', /manifests: app\/\*\.yaml matched no file in /],
    ];
    for (const [text, message] of cases) {
      const dir = repo({ 'role.yaml': RISKY, '.pipeline-rbac.yaml': text });
      symlinkSync(outside, join(dir, 'link'));
      mkdirSync(join(dir, 'app'));
      symlinkSync(join(outside, 'held.yaml'), join(dir, 'held-link.yaml'));
      symlinkSync(join(outside, 'held.yaml'), join(dir, 'app/link.yaml'));
      const r = cli(['check', 'role.yaml'], dir);
      assert.equal(r.code, 2, `${text}: ${r.stdout}`);
      assert.match(r.stderr, message);
    }
  });

  it('two configs for the files checked is an error naming both', () => {
    const dir = repo({ 'a/.pipeline-rbac.yaml': '{}\n', 'a/role.yaml': RISKY, 'b/.pipeline-rbac.yaml': '{}\n', 'b/role.yaml': RISKY });
    const r = cli(['check', 'a/role.yaml', 'b/role.yaml'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /governed by different config files .*a\/\.pipeline-rbac\.yaml.*b\/\.pipeline-rbac\.yaml/);
    // One of them chosen: both files are checked by it.
    writeFileSync(join(dir, 'a/.pipeline-rbac.yaml'), 'rules: {wildcard: off}\n');
    const chosen = cli(['check', 'a/role.yaml', 'b/role.yaml', '--config', 'a/.pipeline-rbac.yaml', '--format', 'json'], dir);
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.ok(!findingsOf(chosen.stdout).some((x) => x.ruleId === 'wildcard'));
  });
});
