/**
 * The language server and the repository config: read in a trusted workspace (rule severities, the baseline's
 * findings shown lower and tagged "in baseline", problems on the config file's lines), not in an untrusted one.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol';
import { startServer, type LspSession } from './lspClient';

const CLI = resolve(__dirname, '../../dist/cli.js');
const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ci
  namespace: team-a
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["*"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list"]
`;

function workspace(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'prb-ws-'));
  mkdirSync(join(dir, '.git'));
  mkdirSync(join(dir, 'rbac'));
  writeFileSync(join(dir, 'rbac/role.yaml'), ROLE);
  writeFileSync(join(dir, '.pipeline-rbac.yaml'), config);
  return dir;
}

/** Diagnostic messages are strings here (the protocol also allows markup). */
const msg = (d: Diagnostic): string => (typeof d.message === 'string' ? d.message : d.message.value);
const byCode = (ds: Diagnostic[], code: string) => ds.filter((d) => d.code === code);
const sessions: LspSession[] = [];
async function session(dir: string): Promise<LspSession> {
  const s = await startServer({ live: { enable: false } }, { KUBECONFIG: '/nonexistent' }, [], pathToFileURL(dir).href);
  sessions.push(s);
  return s;
}
after(async () => {
  for (const s of sessions) await s.stop();
});

describe('language server: repository config', () => {
  it('trusted: the config\'s rules apply, and baselined findings are shown lower with "in baseline"', async () => {
    const dir = workspace('rules:\n  workload-create: off\n  secrets-read: error\nbaseline: baseline.json\n');
    // The baseline holds what the role had before a new grant was added.
    const w = spawnSync(process.execPath, [CLI, 'check', 'rbac', '--write-baseline', 'baseline.json'], { cwd: dir, encoding: 'utf8' });
    assert.equal(w.status, 0, w.stderr);
    assert.equal((JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8')) as { findings: unknown[] }).findings.length, 2);
    const s = await session(dir);
    const uri = pathToFileURL(join(dir, 'rbac/role.yaml')).href;
    const text = ROLE + '  - apiGroups: [""]\n    resources: ["pods/exec"]\n    verbs: ["create"]\n';
    await s.open(uri, text);
    const got = await s.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'pods-exec') && d.some((x) => x.code === 'secrets-read'));
    assert.equal(byCode(got, 'workload-create').length, 0, 'off in the config');
    const secrets = byCode(got, 'secrets-read')[0]!;
    // error in the config, one lower because the baseline holds it
    assert.equal(secrets.severity, DiagnosticSeverity.Warning);
    assert.match(msg(secrets), /\(in baseline\)$/);
    assert.equal((secrets.data as { inBaseline?: boolean }).inBaseline, true);
    const wildcard = byCode(got, 'wildcard')[0]!;
    assert.equal(wildcard.severity, DiagnosticSeverity.Information);
    assert.match(msg(wildcard), /\(in baseline\)$/);
    const exec = byCode(got, 'pods-exec')[0]!;
    assert.equal(exec.severity, DiagnosticSeverity.Warning);
    assert.doesNotMatch(msg(exec), /in baseline/);
  });

  it("untrusted: the config is not read (the editor's own severities, no baseline), and the config file says so", async () => {
    const dir = workspace('rules:\n  workload-create: off\n  wildcard: error\n');
    const s = await session(dir);
    await s.connection.sendNotification('pipelineRbac/trust', { trusted: false });
    const uri = pathToFileURL(join(dir, 'rbac/role.yaml')).href;
    const got = await s.open(uri, ROLE);
    assert.equal(byCode(got, 'workload-create').length, 1, JSON.stringify(got.map((d) => d.code)));
    assert.equal(byCode(got, 'wildcard')[0]!.severity, DiagnosticSeverity.Warning);
    const configUri = pathToFileURL(join(dir, '.pipeline-rbac.yaml')).href;
    const own = await s.open(configUri, readFileSync(join(dir, '.pipeline-rbac.yaml'), 'utf8'));
    assert.equal(own.length, 1);
    assert.match(msg(own[0]!), /does not use this config in an untrusted workspace/);
    // Trusted again: now it judges by the config.
    await s.connection.sendNotification('pipelineRbac/trust', { trusted: true });
    const trusted = await s.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'wildcard' && x.severity === DiagnosticSeverity.Error));
    assert.equal(byCode(trusted, 'workload-create').length, 0);
  });

  it('a config problem is a diagnostic on its line, as you type; a baseline that cannot be used is one on baseline:', async () => {
    const dir = workspace('deployer: helm\nbaseline: missing.json\n');
    const s = await session(dir);
    const configUri = pathToFileURL(join(dir, '.pipeline-rbac.yaml')).href;
    const first = await s.open(configUri, 'deployer: helm\nbaseline: missing.json\n');
    assert.equal(first.length, 1, JSON.stringify(first));
    assert.equal(first[0]!.range.start.line, 1);
    assert.match(msg(first[0]!), /the baseline is not used: baseline "missing\.json": no such file/);
    const typed = await s.change(configUri, 'deployer: argo\nmanifest: [a]\n');
    assert.deepEqual(
      typed.map((d) => [d.range.start.line, d.range.start.character, d.severity, d.code]),
      [
        [0, 10, DiagnosticSeverity.Error, 'config'],
        [1, 0, DiagnosticSeverity.Error, 'config'],
      ],
    );
    assert.match(msg(typed[0]!), /"deployer" must be one of kubectl, server-side-apply, helm, not "argo"/);
    assert.match(msg(typed[1]!), /unknown key "manifest"/);
  });
});
