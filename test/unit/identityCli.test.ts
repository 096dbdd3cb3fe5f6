// runIdentity for the commands that need no cluster (manifests, oidc), with captured output.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../../server/src/cli/errors';
import { runIdentity, type IdentityIo } from '../../server/src/cli/identity';

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const value: IdentityIo = { env: {}, cwd, stdout: (s) => void out.push(s), stderr: (s) => void err.push(s) };
  return { value, out: () => out.join(''), err: () => err.join('') };
}

const dir = mkdtempSync(join(tmpdir(), 'identity-cli-'));
writeFileSync(join(dir, 'role.yaml'), 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: deployer\nrules:\n  - apiGroups: [apps]\n    resources: [deployments]\n    verbs: [get, patch]\n');

describe('identity CLI without a cluster', () => {
  test('manifests prints SA, Role and RoleBinding; --output writes them', async () => {
    const a = io(dir);
    assert.equal(await runIdentity(['manifests', '--namespace', 'team-a', '--name', 'ci', '--role-file', 'role.yaml', '--repo', 'acme/app'], a.value), 0);
    assert.deepEqual(parseAllDocuments(a.out()).map((d) => (d.toJS() as { kind: string }).kind), ['ServiceAccount', 'Role', 'RoleBinding']);
    const b = io(dir);
    assert.equal(await runIdentity(['manifests', '--namespace', 'team-a', '--name', 'ci', '--role-file', 'role.yaml', '--output', 'out.yaml'], b.value), 0);
    assert.match(readFileSync(join(dir, 'out.yaml'), 'utf8'), /kind: RoleBinding/);
    assert.equal(b.out(), 'Wrote out.yaml\n');
  });

  test('oidc --format json: subject, username, binding, AuthenticationConfiguration and workflow', async () => {
    const a = io(dir);
    const code = await runIdentity(['oidc', '--namespace', 'team-a', '--provider', 'github', '--repo', 'acme/app', '--environment', 'production', '--role-file', 'role.yaml', '--audience', 'https://k8s.example.com', '--format', 'json'], a.value);
    assert.equal(code, 0);
    const b = JSON.parse(a.out()) as { subject: string; username: string; roleBinding: string; authenticationConfiguration: string; workflow: string };
    assert.equal(b.subject, 'repo:acme/app:environment:production');
    assert.equal(b.username, 'github:repo:acme/app:environment:production');
    assert.match(b.roleBinding, /name: deployer/);
    assert.match(b.authenticationConfiguration, /kind: AuthenticationConfiguration/);
    assert.match(b.workflow, /id-token: write/);
  });

  test('oidc text output names the user the API server will see', async () => {
    const a = io(dir);
    assert.equal(await runIdentity(['oidc', '--namespace', 'team-a', '--provider', 'gitlab', '--repo', 'grp/app', '--branch', 'main', '--role', 'deployer'], a.value), 0);
    assert.match(a.out(), /^OIDC subject project_path:grp\/app:ref_type:branch:ref:main -> Kubernetes user gitlab:project_path:grp\/app:ref_type:branch:ref:main/);
    assert.match(a.out(), /id_tokens:/);
  });

  test('oidc text output labels each part truthfully: the Role, the RoleBinding, the admin\'s configuration', async () => {
    const a = io(dir);
    assert.equal(await runIdentity(['oidc', '--namespace', 'team-a', '--provider', 'github', '--repo', 'acme/app', '--environment', 'production', '--role-file', 'role.yaml'], a.value), 0);
    const text = a.out();
    const headings = [
      '# Role team-a/deployer (from role.yaml)',
      '# RoleBinding team-a/oidc-github-deployer',
      '# For the cluster admin: the API server authentication configuration (kube-apiserver --authentication-config)',
      '# GitHub Actions workflow',
    ];
    const at = headings.map((h) => text.indexOf(`\n${h}\n`));
    assert.ok(at.every((i, k) => i > 0 && (k === 0 || i > (at[k - 1] ?? 0))), `headings missing or out of order in:\n${text}`);
    const section = (k: number) => text.slice((at[k] ?? 0) + (headings[k]?.length ?? 0) + 2, at[k + 1] ?? undefined);
    assert.match(section(0), /^kind: Role$/m);
    assert.doesNotMatch(section(0), /kind: RoleBinding/);
    assert.match(section(1), /^kind: RoleBinding$/m);
    assert.doesNotMatch(section(1), /^kind: Role$/m);
    assert.match(section(2), /^kind: AuthenticationConfiguration$/m);
    assert.doesNotMatch(section(2), /RoleBinding/);
    assert.match(text, /^Issuer: https:\/\/token\.actions\.githubusercontent\.com \(the public GitHub Actions issuer; set GITHUB_API_URL or --issuer/m);
    const b = io(dir);
    assert.equal(await runIdentity(['oidc', '--namespace', 'team-a', '--provider', 'github', '--repo', 'acme/app', '--role-file', 'role.yaml', '--output', 'oidc.yaml'], b.value), 0);
    assert.match(b.out(), /^Role team-a\/deployer and RoleBinding team-a\/oidc-github-deployer written to oidc\.yaml$/m);
    assert.deepEqual(parseAllDocuments(readFileSync(join(dir, 'oidc.yaml'), 'utf8')).map((d) => (d.toJS() as { kind: string }).kind), ['Role', 'RoleBinding']);
  });

  test('oidc never falls back to the public issuer when a self-managed host is set', async () => {
    const a = io(dir);
    a.value.env = { GITLAB_HOST: 'gitlab.example.com' };
    assert.equal(await runIdentity(['oidc', '--namespace', 'team-a', '--provider', 'gitlab', '--repo', 'acme/shop', '--role', 'deployer', '--format', 'json'], a.value), 0);
    const j = JSON.parse(a.out()) as { issuer: string; issuerSource: string; authenticationConfiguration: string };
    assert.equal(j.issuer, 'https://gitlab.example.com');
    assert.equal(j.issuerSource, 'GITLAB_HOST');
    assert.doesNotMatch(j.authenticationConfiguration, /https:\/\/gitlab\.com/);
    const g = io(dir);
    g.value.env = { GITHUB_API_URL: 'https://ghe.example.com/api/v3' };
    assert.equal(await runIdentity(['oidc', '--namespace', 'team-a', '--provider', 'github', '--repo', 'acme/web', '--role', 'deployer'], g.value), 0);
    assert.match(g.out(), /^Issuer: https:\/\/ghe\.example\.com\/_services\/token \(from GITHUB_API_URL, self-managed\)$/m);
    assert.doesNotMatch(g.out(), /token\.actions\.githubusercontent\.com/);
    // An explicit --issuer that contradicts the configured host is used, and said so.
    const x = io(dir);
    x.value.env = { GITLAB_HOST: 'gitlab.example.com' };
    assert.equal(await runIdentity(['oidc', '--namespace', 'team-a', '--provider', 'gitlab', '--repo', 'acme/shop', '--role', 'deployer', '--issuer', 'https://gitlab.com'], x.value), 0);
    assert.match(x.out(), /^Warning: GITLAB_HOST names gitlab\.example\.com, whose ID tokens come from https:\/\/gitlab\.example\.com; the binding trusts --issuer https:\/\/gitlab\.com instead\.$/m);
  });

  test('oidc --pull-request says plainly that every pull-request run gets the rights', async () => {
    const a = io(dir);
    assert.equal(await runIdentity(['oidc', '--namespace', 'team-a', '--provider', 'github', '--repo', 'acme/web', '--pull-request', '--role', 'reader'], a.value), 0);
    assert.match(a.out(), /^Warning: Every pull-request run of acme\/web gets these rights, whatever the pull request changes/m);
  });

  test('input errors are usage errors (exit 2 in main)', async () => {
    await assert.rejects(runIdentity(['manifests', '--namespace', 'team-a', '--name', 'ci', '--role-file', 'missing.yaml'], io(dir).value), UsageError);
    await assert.rejects(runIdentity(['manifests', '--namespace', 'Team A', '--name', 'ci', '--role-file', 'role.yaml'], io(dir).value), UsageError);
    await assert.rejects(runIdentity(['oidc', '--namespace', 'team-a', '--provider', 'github', '--repo', 'not-a-repo', '--role', 'r'], io(dir).value), UsageError);
  });

  test('an unreachable cluster is an I/O error: exit 2, nothing written', async () => {
    const kubeconfig = join(dir, 'unreachable.kubeconfig');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {token: operator-secret-token-123456}\ncontexts:\n- name: x\n  context: {cluster: c, user: u, namespace: team-a}\ncurrent-context: x\n',
    );
    const a = io(dir);
    const code = await runIdentity(['create', '--namespace', 'team-a', '--name', 'ci', '--role-file', 'role.yaml', '--export', 'file:never.kubeconfig', '--kubeconfig', kubeconfig], a.value);
    assert.equal(code, 2);
    assert.match(a.err(), /checking your permissions failed: .*unreachable/);
    assert.doesNotMatch(a.err() + a.out(), /operator-secret-token-123456/);
    assert.throws(() => readFileSync(join(dir, 'never.kubeconfig')), /ENOENT/);
  });

  test('help: exit 0 with --help, 2 without a command', async () => {
    const a = io(dir);
    assert.equal(await runIdentity(['--help'], a.value), 0);
    assert.match(a.out(), /Usage: pipeline-rbac identity/);
    assert.equal(await runIdentity([], io(dir).value), 2);
  });
});
