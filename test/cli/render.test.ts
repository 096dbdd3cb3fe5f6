// `pipeline-rbac check` with charts and overlays (real helm and kustomize, see scripts/tools/build-tools.mjs), and
// --manifests with --deployer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

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
