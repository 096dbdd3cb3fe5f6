// `pipeline-rbac check` with charts and overlays (real helm and kustomize, see scripts/tools/build-tools.mjs), and
// --manifests with --deployer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { findTool } from '../../server/src/core/render/tools';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const FIX = join(ROOT, 'test/fixtures/render');

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: FIX, encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const DEPLOYER_ROLE = join(ROOT, 'test/fixtures/render/roles/web-deployer.yaml');

describe('check with charts and overlays (dist/cli.js)', () => {
  it('a chart folder is rendered; findings are on template lines, in text and SARIF alike', () => {
    const text = cli(['check', 'chart-web']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^chart-web\/templates\/role\.yaml$/m);
    assert.match(text.stdout, /^\s+18:17\s+warning\s+create on pods\/exec .*pods-exec$/m);
    const sarif = JSON.parse(cli(['check', 'chart-web', '--format', 'sarif']).stdout) as {
      runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[];
    };
    const exec = sarif.runs[0]!.results.find((r) => r.ruleId === 'pods-exec')!;
    assert.deepEqual(
      [exec.locations[0]!.physicalLocation.artifactLocation.uri, exec.locations[0]!.physicalLocation.region.startLine, exec.locations[0]!.physicalLocation.region.startColumn],
      ['chart-web/templates/role.yaml', 18, 17],
    );
  });

  it('--set reaches helm as an argument, never through a shell', () => {
    const r = cli(['check', 'chart-web', '--set', 'extraRules=null', '--set', 'autoscaling.enabled=false;touch /tmp/pwned', '--format', 'json']);
    // "false;touch ..." is a string to helm (truthy), so the pods/exec rule is still rendered; nothing ran.
    assert.equal(r.code, 0, r.stderr);
    const ids = (JSON.parse(r.stdout) as { files: { findings: { ruleId: string }[] }[] }).files.flatMap((f) => f.findings.map((x) => x.ruleId));
    assert.ok(!ids.includes('secrets-read'), 'extraRules=null removed the secrets rule');
    assert.ok(!existsSync('/tmp/pwned'), 'no shell ran the text after ";"');
  });

  it('a kustomize overlay: the rule a patch added is reported on the patch', () => {
    const r = cli(['check', 'overlay/prod']);
    assert.match(r.stdout, /^overlay\/prod\/role-secrets\.yaml\n\s+5:18\s+warning\s+get on secrets .*\(added by this patch\)\s+secrets-read$/m, r.stdout);
  });

  it('a render error is one error finding at the failing template line (exit 1)', () => {
    const r = cli(['check', 'chart-broken']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^chart-broken\/templates\/cm\.yaml\n\s+6:34\s+error\s+helm template failed: .*replicas is required\s+render-error$/m, r.stdout);
  });

  it('no helm: exit 2 with how to install it', () => {
    const r = cli(['check', 'chart-web'], { PATH: '/usr/bin:/bin', XDG_CACHE_HOME: '/nonexistent' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /helm was not found on PATH.*node scripts\/tools\/build-tools\.mjs helm/s);
  });

  it('--manifests CHART --deployer helm: missing-permission names the autoscaler and the release Secrets', () => {
    const r = cli(['check', DEPLOYER_ROLE, '--manifests', 'chart-web', '--deployer', 'helm', '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const msgs = (JSON.parse(r.stdout) as { files: { findings: { ruleId: string; message: string }[] }[] }).files
      .flatMap((f) => f.findings)
      .filter((f) => f.ruleId === 'missing-permission')
      .map((f) => f.message);
    assert.ok(msgs.includes('`helm upgrade` will fail on HorizontalPodAutoscaler web (chart-web/templates/hpa.yaml): get, create, patch, delete horizontalpodautoscalers.autoscaling'), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.startsWith('`helm upgrade` will fail on its release records (Secrets in the release namespace)')));
  });

  it('--manifests with plain files and --deployer kubectl: a Role covering them has no missing-permission', () => {
    const r = cli(['check', DEPLOYER_ROLE, '--manifests', 'plain/app.yaml', '--format', 'json']);
    const ids = (JSON.parse(r.stdout) as { files: { findings: { ruleId: string }[] }[] }).files.flatMap((f) => f.findings.map((x) => x.ruleId));
    assert.ok(!ids.includes('missing-permission'), r.stdout);
  });

  it('rejects an unknown deployer', () => {
    const r = cli(['check', DEPLOYER_ROLE, '--manifests', 'plain/app.yaml', '--deployer', 'argo']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--deployer must be one of kubectl, server-side-apply, helm/);
  });
});

describe('helm --namespace for charts', () => {
  it('without --namespace, the kubeconfig context\'s namespace reaches helm; --namespace wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prb-ns-'));
    try {
      cpSync(join(FIX, 'chart-web'), join(dir, 'chart'), { recursive: true });
      // The chart fails to render unless helm got the namespace team-ci.
      writeFileSync(join(dir, 'chart', 'templates', 'ns.yaml'), '{{- if ne .Release.Namespace "team-ci" }}{{ fail (printf "namespace %s" .Release.Namespace) }}{{- end }}\n');
      writeFileSync(join(dir, 'kubeconfig'), 'apiVersion: v1\nkind: Config\ncurrent-context: ci\ncontexts:\n- name: ci\n  context: {cluster: c, user: u, namespace: team-ci}\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {}}]\n');
      const run = (extra: string[]) => spawnSync(process.execPath, [CLI, 'check', join(dir, 'chart'), ...extra], { cwd: dir, encoding: 'utf8', env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') } });
      const fromContext = run([]);
      assert.equal(fromContext.status, 0, fromContext.stdout);
      const explicit = run(['--namespace', 'other']);
      assert.equal(explicit.status, 1);
      assert.match(explicit.stdout, /helm template failed: .*namespace other/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--manifests with a chart that does not render', () => {
  it('reports the render error and no least-privilege findings (what is deployed is unknown)', () => {
    const r = cli(['check', DEPLOYER_ROLE, '--manifests', 'chart-broken', '--format', 'json']);
    assert.equal(r.code, 1);
    const ids = (JSON.parse(r.stdout) as { files: { findings: { ruleId: string }[] }[] }).files.flatMap((f) => f.findings.map((x) => x.ruleId));
    assert.ok(ids.includes('render-error'));
    assert.ok(!ids.includes('unused-permission') && !ids.includes('missing-permission'), ids.join(' '));
  });
});

describe('chart mode: exact template lines, objects, charts without RBAC, whole render errors (issue 23)', () => {
  const json = (args: string[]) => {
    const r = cli([...args, '--format', 'json']);
    return { code: r.code, files: (JSON.parse(r.stdout) as { files: { path: string; objects: { kind: string; name: string }[]; findings: { ruleId: string; severity: string; message: string; line: number; column: number }[] }[] }).files, stderr: r.stderr };
  };
  const at = (files: ReturnType<typeof json>['files'], ruleId: string) =>
    files.flatMap((f) => f.findings.filter((x) => x.ruleId === ruleId).map((x) => `${f.path}:${x.line}:${x.column}`));

  it('literal rules after a multi-line include and an empty optional label block land on their own line, not the include', () => {
    assert.deepEqual(at(json(['check', 'chart-lines']).files, 'pods-exec'), ['chart-lines/templates/reader.yaml:13:17']);
  });

  it('the same literal lines in if/else: the finding is on the branch that rendered', () => {
    assert.deepEqual(at(json(['check', 'chart-lines']).files, 'secrets-read'), ['chart-lines/templates/secrets.yaml:14:17']);
    // The other branch rendered: its own lines.
    assert.deepEqual(at(json(['check', 'chart-lines', '--set', 'narrowSecrets=true']).files, 'secrets-read'), ['chart-lines/templates/secrets.yaml:9:17']);
  });

  it('a multi-document template whose first document is off: the finding is in the document that rendered', () => {
    assert.deepEqual(at(json(['check', 'chart-lines']).files, 'anonymous-subject'), ['chart-lines/templates/bindings.yaml:24:3']);
  });

  it('rendered output holding another tool\'s {{ }} (an alert template) is checked as YAML, not taken for a raw template', () => {
    const r = json(['check', 'chart-lines']);
    assert.deepEqual(at(r.files, 'helm-template'), []);
    assert.ok(at(r.files, 'secrets-read').length === 1);
  });

  it('JSON lists the rendered objects on the template each came from', () => {
    const objects = json(['check', 'chart-lines']).files.map((f) => `${f.path}: ${f.objects.map((o) => `${o.kind}/${o.name}`).join(', ')}`);
    assert.deepEqual(objects, [
      'chart-lines/templates/reader.yaml: Role/lines-reader',
      'chart-lines/templates/secrets.yaml: Role/lines-secrets',
      'chart-lines/templates/bindings.yaml: RoleBinding/lines-public',
    ]);
  });

  it('a chart that renders no RBAC with these values says so once, on Chart.yaml (information, exit 0)', () => {
    const r = json(['check', 'chart-app']);
    assert.equal(r.code, 0);
    assert.deepEqual(
      r.files.map((f) => [f.path, f.findings.map((x) => `${x.line} ${x.severity} ${x.ruleId}`)]),
      [['chart-app/Chart.yaml', ['1 information no-rbac-rendered']]],
    );
    assert.match(r.files[0]!.findings[0]!.message, /^helm template rendered 0 RBAC objects with these values .*RBAC is often behind a value such as rbac\.create$/);
    assert.match(cli(['check', 'chart-app']).stdout, /1 problem \(0 errors, 0 warnings, 1 info\) in 1 file/);
    assert.deepEqual(json(['check', 'chart-app', '--disable', 'no-rbac-rendered']).files.flatMap((f) => f.findings), []);
  });

  it('render-error keeps helm\'s whole message: a values-schema failure says which value', () => {
    const r = json(['check', 'chart-schema']);
    assert.equal(r.code, 1);
    const msg = r.files.flatMap((f) => f.findings).find((f) => f.ruleId === 'render-error')!.message;
    assert.match(msg, /values don't meet the specifications of the schema\(s\)/);
    assert.match(msg, /replicas.*(want integer|Expected: integer)/);
    // Text output: the further lines are indented under the first.
    assert.match(cli(['check', 'chart-schema']).stdout, /schema\(s\) in the following chart\(s\):\n {16}\| schema:\n {16}\| - at '\/replicas'/);
  });

  it('offline with --held-rules: the chart and the overlay folder give the findings of their rendered output on standard input', () => {
    const helm = findTool('helm')!;
    const kustomize = findTool('kustomize')!;
    const held = join(ROOT, 'test/fixtures/render/roles/web-deployer.yaml');
    const said = (stdout: string) =>
      (JSON.parse(stdout) as { files: { findings: { ruleId: string; severity: string; message: string }[] }[] }).files
        .flatMap((f) => f.findings.map((x) => `${x.severity} ${x.ruleId}: ${x.message.replace(/ \(added by this patch\)$/, '')}`))
        .sort();
    for (const [dir, out] of [
      ['chart-web', spawnSync(helm, ['template', 'web', 'chart-web', '--namespace', 'default', '--include-crds'], { cwd: FIX, encoding: 'utf8' }).stdout],
      ['overlay/prod', spawnSync(kustomize, ['build', 'overlay/prod'], { cwd: FIX, encoding: 'utf8' }).stdout],
    ] as const) {
      const folder = cli(['check', dir, '--held-rules', held, '--format', 'json']);
      const stdin = spawnSync(process.execPath, [CLI, 'check', '-', '--held-rules', held, '--format', 'json'], { cwd: FIX, encoding: 'utf8', input: out });
      assert.deepEqual(said(folder.stdout), said(stdin.stdout), dir);
      assert.ok(said(folder.stdout).some((s) => s.startsWith('error not-held')), dir);
      assert.equal(folder.code, stdin.status);
    }
  });

  it('overlay: a whole rule a patch added (not-held) lands on the patch, a base rule on the base file', () => {
    const r = json(['check', 'overlay/prod', '--held-rules', join(ROOT, 'test/fixtures/render/roles/web-deployer.yaml')]);
    assert.deepEqual(at(r.files, 'not-held'), ['overlay/prod/role-secrets.yaml:5:18']);
  });
});
