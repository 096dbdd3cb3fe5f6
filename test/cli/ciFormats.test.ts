/** `check --format gitlab` (Code Quality) and `--format github` (workflow commands, the default under GitHub Actions). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, findingsOf, repo, RISKY, role, rule, ROOT } from './helpers/repo';

interface Issue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number } };
}

describe('check --format gitlab|github', () => {
  it('gitlab: the documented Code Quality JSON, one issue per finding, unique fingerprints, severities mapped', () => {
    const dir = repo({ 'rbac/role.yaml': RISKY, 'held.yaml': role(rule('""', '"pods"', '"get"'), 'held') });
    const r = cli(['check', 'rbac', '--held-rules', 'held.yaml', '--format', 'gitlab'], dir);
    assert.equal(r.code, 1, r.stderr);
    const issues = JSON.parse(r.stdout) as Issue[];
    const json = findingsOf(cli(['check', 'rbac', '--held-rules', 'held.yaml', '--format', 'json'], dir).stdout);
    assert.equal(issues.length, json.length);
    assert.ok(issues.length >= 4, r.stdout);
    for (const [i, issue] of issues.entries()) {
      assert.deepEqual(Object.keys(issue).sort(), ['check_name', 'description', 'fingerprint', 'location', 'severity']);
      assert.equal(issue.check_name, json[i]!.ruleId);
      assert.equal(issue.description, json[i]!.message);
      assert.deepEqual(issue.location, { path: 'rbac/role.yaml', lines: { begin: json[i]!.line } });
      assert.match(issue.fingerprint, /^[0-9a-f]{32}$/);
      const expected = { error: 'critical', warning: 'major', information: 'minor', hint: 'info' }[json[i]!.severity];
      assert.equal(issue.severity, expected);
    }
    assert.equal(new Set(issues.map((i) => i.fingerprint)).size, issues.length);
    assert.ok(issues.some((i) => i.check_name === 'not-held' && i.severity === 'critical'));
    assert.ok(issues.some((i) => i.check_name === 'wildcard' && i.severity === 'major'));
  });

  it('gitlab: the fingerprints are the baseline fingerprints, and --output writes the report', () => {
    const dir = repo({ 'rbac/role.yaml': RISKY });
    assert.equal(cli(['check', 'rbac', '--write-baseline', 'baseline.json'], dir).code, 0);
    const recorded = (JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8')) as { findings: { fingerprint: string }[] }).findings.map((f) => f.fingerprint);
    const r = cli(['check', 'rbac', '--format', 'gitlab', '--output', 'gl-code-quality-report.json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const issues = JSON.parse(readFileSync(join(dir, 'gl-code-quality-report.json'), 'utf8')) as Issue[];
    assert.deepEqual(issues.map((i) => i.fingerprint).sort(), [...recorded].sort());
  });

  it('gitlab: no findings is an empty list', () => {
    const dir = repo({ 'role.yaml': role(rule('""', '"configmaps"', '"get"')) });
    const r = cli(['check', '.', '--format', 'gitlab'], dir);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });

  it('github: one workflow command per finding at its line and column, with the rule as title', () => {
    const dir = repo({ 'rbac/role.yaml': RISKY });
    const r = cli(['check', 'rbac', '--format', 'github'], dir);
    assert.equal(r.code, 0, r.stderr);
    const json = findingsOf(cli(['check', 'rbac', '--format', 'json'], dir).stdout);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, json.length + 1, r.stdout);
    json.forEach((f, i) => {
      const cmd = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' }[f.severity];
      assert.ok(lines[i]!.startsWith(`::${cmd} file=rbac/role.yaml,line=${f.line},col=${f.column},`), lines[i]);
      assert.ok(lines[i]!.includes(`,title=pipeline-rbac ${f.ruleId}::`), lines[i]);
      assert.ok(lines[i]!.endsWith(`::${f.message}`), lines[i]);
    });
    assert.match(lines.at(-1)!, /problems \(0 errors, 2 warnings, 1 info\) in 1 file$/);
  });

  it('github: escapes as GitHub documents (%25, %0D, %0A; %3A and %2C in properties) after the control characters', () => {
    const hostile = 'x%0A::error::owned\r\n::warning::y\u001b[2J';
    const dir = repo({ 'a:b,c.yaml': role(rule('""', JSON.stringify(hostile), '"*"')) });
    const r = cli(['check', '.', '--format', 'github'], dir);
    const lines = r.stdout.trimEnd().split('\n');
    // Every line but the summary is one of our commands; nothing a value holds started a line of its own.
    for (const l of lines.slice(0, -1)) assert.match(l, /^::(error|warning|notice) file=a%3Ab%2Cc\.yaml,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=pipeline-rbac [a-z-]+::/);
    assert.ok(!/[\u0000-\u0009\u000b-\u001f]/.test(r.stdout), JSON.stringify(r.stdout));
    const wildcard = lines.find((l) => l.includes('title=pipeline-rbac wildcard'))!;
    // The value's "%0A" is data, not an escape: "%250A"; its CR LF is shown as \r\n (as in text output), ESC as \e.
    assert.ok(wildcard.includes('x%250A::error::owned\\r\\n::warning::y\\e[2J'), wildcard);
  });

  it('github is the default under GITHUB_ACTIONS=true; --format still wins; text elsewhere', () => {
    const dir = repo({ 'rbac/role.yaml': RISKY });
    assert.match(cli(['check', 'rbac'], dir, { GITHUB_ACTIONS: 'true' }).stdout, /^::warning file=rbac\/role\.yaml,line=/m);
    assert.match(cli(['check', 'rbac', '--format', 'text'], dir, { GITHUB_ACTIONS: 'true' }).stdout, /^rbac\/role\.yaml$/m);
    assert.doesNotMatch(cli(['check', 'rbac'], dir).stdout, /^::/m);
    assert.doesNotMatch(cli(['check', 'rbac'], dir, { GITHUB_ACTIONS: 'false' }).stdout, /^::/m);
  });

  it('--help names the formats and the config and baseline flags', () => {
    const help = cli(['--help'], ROOT).stdout;
    for (const w of ['gitlab', 'github', '--config FILE', '--baseline FILE', '--write-baseline FILE', 'GITHUB_ACTIONS=true']) assert.ok(help.includes(w), w);
  });
});
