// Keyless bindings on a real apiserver: the test cluster trusts two CI OIDC issuers through an
// AuthenticationConfiguration written by `identity oidc` itself (oidcAuthConfig.ts). Tokens shaped like GitHub
// Actions and GitLab CI ID tokens must authenticate as exactly the user the generated RoleBinding names, hold what
// its Role grants and nothing else; near misses authenticate as somebody else (no rights) or are refused (401).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuthenticationV1Api, AuthorizationV1Api, RbacAuthorizationV1Api, type V1RoleBinding } from '@kubernetes/client-node';
import { SignJWT } from 'jose';
import { parse } from 'yaml';
import { runIdentity } from '../../server/src/cli/identity';
import { identitiesFor } from '../../server/src/core/inventory/load';
import type { IdentitiesModel, IdentityNode } from '../../server/src/core/inventory/types';
import { identityNode } from '../../client/src/inventory/treeNodes';
import { loadKubeconfig } from '../../server/src/core/live/kubeconfig';
import { TEAM_A, TEAM_B, apiStatus, clusterKubeconfigs, clusterStateDir, deleteIfExists, kubeConfigFor, kubeConfigWithToken, mintOidcToken, oidcIssuers, uniqueName } from './harness';
import { generatorArgs } from './oidcAuthConfig';
import { readIssuers } from './oidcIssuer.mjs';

const allIdentities = (model: IdentitiesModel): IdentityNode[] => [...model.namespaces.flatMap((n) => n.identities), ...model.cluster];

const issuers = oidcIssuers();
const oidcDir = join(clusterStateDir(), 'pki', 'oidc');
const caFile = join(oidcDir, 'ca.crt');
const rbac = kubeConfigFor('admin').makeApiClient(RbacAuthorizationV1Api);
const base = uniqueName('oidc');
const created: { roles: string[]; bindings: string[] } = { roles: [], bindings: [] };

interface Bundle {
  issuer: string;
  subject: string;
  username: string;
  roleBinding: string;
  authenticationConfiguration: string;
  warnings: string[];
}

/** `identity oidc ... --format json` in-process, as the CLI runs it. */
async function identityOidc(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Bundle> {
  let out = '';
  let err = '';
  const code = await runIdentity(['oidc', ...args, '--format', 'json'], { env, cwd: process.cwd(), stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  assert.equal(code, 0, err);
  return JSON.parse(out) as Bundle;
}

/** A Role that grants `get` on one ConfigMap named like itself (so a check names exactly one binding), plus extras. */
async function role(suffix: string, extra: { apiGroups: string[]; resources: string[]; verbs: string[] }[] = []): Promise<string> {
  const name = `${base}-${suffix}`;
  await rbac.createNamespacedRole({
    namespace: TEAM_A,
    body: { metadata: { name }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: [name] }, ...extra] },
  });
  created.roles.push(name);
  return name;
}

/** Generates the binding with the CLI for the cluster's issuer and applies the RoleBinding it printed. */
async function bind(roleName: string, provider: 'github' | 'gitlab', args: string[]): Promise<{ bundle: Bundle; binding: V1RoleBinding }> {
  const bundle = await identityOidc(['--namespace', TEAM_A, '--provider', provider, '--role', roleName, ...args, '--issuer', issuers[provider], '--certificate-authority', caFile]);
  const doc = parse(bundle.roleBinding) as V1RoleBinding;
  const binding = await rbac.createNamespacedRoleBinding({ namespace: TEAM_A, body: doc });
  created.bindings.push(binding.metadata?.name ?? '');
  return { bundle, binding };
}

type Who = { status: 200; username: string; groups: string[] } | { status: number };

async function whoAmI(token: string): Promise<Who> {
  try {
    const r = await kubeConfigWithToken(token).makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    return { status: 200, username: r.status?.userInfo?.username ?? '', groups: r.status?.userInfo?.groups ?? [] };
  } catch (err) {
    return { status: apiStatus(err)?.code ?? -1 };
  }
}

async function may(token: string, verb: string, resource: string, opts: { group?: string; namespace?: string; name?: string } = {}): Promise<boolean> {
  const r = await kubeConfigWithToken(token).makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: { namespace: opts.namespace ?? TEAM_A, verb, resource, group: opts.group ?? '', ...(opts.name ? { name: opts.name } : {}) } } },
  });
  return r.status?.allowed === true;
}

const now = () => Math.floor(Date.now() / 1000);

function githubClaims(over: Record<string, unknown> = {}): Record<string, unknown> {
  const t = now();
  return {
    iss: issuers.github, aud: 'kubernetes', sub: 'repo:acme/web:environment:production',
    repository: 'acme/web', repository_id: '2002', repository_owner: 'acme', repository_owner_id: '1001',
    environment: 'production', ref: 'refs/heads/main', ref_type: 'branch', event_name: 'push', actor: 'octocat',
    workflow: 'deploy', job_workflow_ref: 'acme/web/.github/workflows/deploy.yml@refs/heads/main', run_id: '42',
    jti: randomUUID(), iat: t, nbf: t - 5, exp: t + 300, ...over,
  };
}

function gitlabClaims(over: Record<string, unknown> = {}): Record<string, unknown> {
  const t = now();
  return {
    iss: issuers.gitlab, aud: 'kubernetes', sub: 'project_path:acme/shop:ref_type:branch:ref:main',
    namespace_id: '10', namespace_path: 'acme', project_id: '20', project_path: 'acme/shop', user_login: 'dev',
    ref: 'main', ref_type: 'branch', ref_protected: 'true', pipeline_source: 'push',
    jti: randomUUID(), iat: t, nbf: t - 5, exp: t + 300, ...over,
  };
}

/** Signed with a key the cluster has never seen (same header shape as the issuer's). */
async function foreignToken(claims: Record<string, unknown>, kid: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(privateKey);
}

/** Authenticates, but as another user than the binding names, and holds none of its rights. */
async function assertNobodyBound(token: string, expectedUser: string, roleName: string, boundUser: string): Promise<void> {
  const who = await whoAmI(token);
  assert.deepEqual(who.status, 200, `expected ${expectedUser} to authenticate`);
  assert.equal((who as { username: string }).username, expectedUser);
  assert.notEqual(expectedUser, boundUser);
  assert.equal(await may(token, 'get', 'configmaps', { name: roleName }), false, `${expectedUser} must not hold ${roleName}`);
}

before(async () => {
  // Nothing below means anything unless the cluster runs exactly what the CLI generates for these issuers.
  const running = parse(readFileSync(join(clusterStateDir(), 'pki', 'authentication-config.yaml'), 'utf8')) as { jwt: { issuer: { url: string } }[] };
  for (const provider of ['github', 'gitlab'] as const) {
    const generated = parse((await identityOidc(generatorArgs(provider, issuers[provider], caFile).slice(1, -2))).authenticationConfiguration) as { jwt: unknown[] };
    assert.deepEqual(running.jwt.find((j) => j.issuer.url === issuers[provider]), generated.jwt[0]);
  }
});

after(async () => {
  for (const name of created.bindings) await deleteIfExists(() => rbac.deleteNamespacedRoleBinding({ name, namespace: TEAM_A }));
  for (const name of created.roles) await deleteIfExists(() => rbac.deleteNamespacedRole({ name, namespace: TEAM_A }));
});

describe('GitHub Actions ID tokens (GitHub Enterprise Server-shaped issuer)', () => {
  let roleName = '';
  let bound = '';

  before(async () => {
    roleName = await role('gh', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'patch'] }]);
    const { bundle, binding } = await bind(roleName, 'github', ['--repo', 'acme/web', '--environment', 'production']);
    bound = bundle.username;
    assert.equal(binding.subjects?.[0]?.name, bound);
    assert.equal(bundle.issuer, issuers.github);
  });

  test('the bound repo:acme/web:environment:production authenticates as exactly the user the RoleBinding names', async () => {
    const token = await mintOidcToken(githubClaims());
    const who = await whoAmI(token);
    assert.deepEqual(who, { status: 200, username: 'github:repo:acme/web:environment:production', groups: ['system:authenticated'] });
    assert.equal(bound, 'github:repo:acme/web:environment:production');
  });

  test('it may do what the Role grants and nothing else', async () => {
    const token = await mintOidcToken(githubClaims());
    assert.equal(await may(token, 'get', 'configmaps', { name: roleName }), true);
    assert.equal(await may(token, 'create', 'deployments', { group: 'apps' }), true);
    assert.equal(await may(token, 'patch', 'deployments', { group: 'apps', name: 'web' }), true);
    assert.equal(await may(token, 'get', 'configmaps', { name: 'other' }), false);
    assert.equal(await may(token, 'list', 'configmaps'), false);
    assert.equal(await may(token, 'delete', 'deployments', { group: 'apps', name: 'web' }), false);
    assert.equal(await may(token, 'get', 'secrets', { name: roleName }), false);
    assert.equal(await may(token, 'get', 'configmaps', { name: roleName, namespace: TEAM_B }), false);
  });

  test('another repository of the owner, another environment, a pull request, a branch or tag: authenticated, no rights', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['repo:acme/api:environment:production', { repository: 'acme/api', repository_id: '2003' }],
      ['repo:acme/web:environment:staging', { environment: 'staging' }],
      ['repo:acme/web:pull_request', { environment: undefined, event_name: 'pull_request', ref: 'refs/pull/7/merge' }],
      ['repo:acme/web:ref:refs/heads/main', { environment: undefined }],
      ['repo:acme/web:ref:refs/tags/v1.0.0', { environment: undefined, ref: 'refs/tags/v1.0.0', ref_type: 'tag' }],
    ];
    for (const [sub, over] of cases) {
      await assertNobodyBound(await mintOidcToken(githubClaims({ sub, ...over })), `github:${sub}`, roleName, bound);
    }
  });

  test('refused (401): another owner forging the sub, wrong audience, expired, not yet valid, unknown key or issuer, unsigned', async () => {
    const t = now();
    const { kid } = readIssuers(oidcDir).github;
    const refused: [string, string | Promise<string>][] = [
      ['another owner, same sub', mintOidcToken(githubClaims({ repository_owner: 'evil', repository_owner_id: '666', repository: 'evil/web' }))],
      ["GitHub's default audience", mintOidcToken(githubClaims({ aud: 'https://github.com/acme' }))],
      ['expired', mintOidcToken(githubClaims({ iat: t - 900, nbf: t - 900, exp: t - 60 }))],
      ['not yet valid', mintOidcToken(githubClaims({ iat: t + 600, nbf: t + 600, exp: t + 900 }))],
      ['unknown key, known kid', foreignToken(githubClaims(), kid)],
      ['unknown key and kid', foreignToken(githubClaims(), 'another-key')],
      ['the public GitHub issuer (not trusted here)', foreignToken(githubClaims({ iss: 'https://token.actions.githubusercontent.com' }), 'k')],
      ['unsigned (alg none)', `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(githubClaims())).toString('base64url')}.`],
    ];
    for (const [what, token] of refused) assert.deepEqual(await whoAmI(await token), { status: 401 }, what);
  });

  test('custom subject templates (--subject) bind what they say, and only that', async () => {
    const custom = 'repository_owner_id:1001:repository_id:2002:environment:production';
    const customRole = await role('gh-custom');
    const c = await bind(customRole, 'github', ['--repo', 'acme/web', '--subject', custom]);
    assert.equal(c.bundle.username, `github:${custom}`);
    const token = await mintOidcToken(githubClaims({ sub: custom }));
    assert.deepEqual(await whoAmI(token), { status: 200, username: `github:${custom}`, groups: ['system:authenticated'] });
    assert.equal(await may(token, 'get', 'configmaps', { name: customRole }), true);
    assert.equal(await may(token, 'get', 'configmaps', { name: roleName }), false);
    // The default-format token of the same job holds the other binding's Role, not this one.
    const plain = await mintOidcToken(githubClaims());
    assert.equal(await may(plain, 'get', 'configmaps', { name: customRole }), false);
    // The same template from another owner: the owner rule refuses it before any binding is consulted.
    assert.deepEqual(await whoAmI(await mintOidcToken(githubClaims({ sub: custom, repository_owner: 'evil' }))), { status: 401 });
  });

  test('owner@id/repo@id subjects bind what they say', async () => {
    const sub = 'repo:acme@1001/web@2002:environment:production';
    const idRole = await role('gh-ids');
    await bind(idRole, 'github', ['--repo', 'acme/web', '--subject', sub]);
    const token = await mintOidcToken(githubClaims({ sub }));
    assert.deepEqual(await whoAmI(token), { status: 200, username: `github:${sub}`, groups: ['system:authenticated'] });
    assert.equal(await may(token, 'get', 'configmaps', { name: idRole }), true);
    // A renamed-and-recreated repository gets new ids: another subject, no rights.
    await assertNobodyBound(await mintOidcToken(githubClaims({ sub: 'repo:acme@1001/web@9999:environment:production', repository_id: '9999' })), 'github:repo:acme@1001/web@9999:environment:production', idRole, `github:${sub}`);
  });

  test('test/cluster/oidc-token prints a token the apiserver accepts', async () => {
    const r = spawnSync(process.execPath, [join(__dirname, 'oidc-token'), JSON.stringify(githubClaims())], { encoding: 'utf8', env: { ...process.env, PIPELINE_RBAC_CLUSTER_DIR: clusterStateDir() } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(await whoAmI(r.stdout.trim()), { status: 200, username: bound, groups: ['system:authenticated'] });
    const bad = spawnSync(process.execPath, [join(__dirname, 'oidc-token'), '{"iss":"https://elsewhere.example"}'], { encoding: 'utf8', env: { ...process.env, PIPELINE_RBAC_CLUSTER_DIR: clusterStateDir() } });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /no test issuer has the URL "https:\/\/elsewhere.example"/);
  });
});

describe('GitLab CI ID tokens (self-managed instance issuer)', () => {
  let roleName = '';
  let bound = '';

  before(async () => {
    roleName = await role('gl');
    const { bundle } = await bind(roleName, 'gitlab', ['--repo', 'acme/shop', '--branch', 'main']);
    bound = bundle.username;
    assert.equal(bundle.issuer, issuers.gitlab);
  });

  test('project_path:acme/shop:ref_type:branch:ref:main authenticates as the bound user and holds exactly its Role', async () => {
    const token = await mintOidcToken(gitlabClaims());
    assert.deepEqual(await whoAmI(token), { status: 200, username: 'gitlab:project_path:acme/shop:ref_type:branch:ref:main', groups: ['system:authenticated'] });
    assert.equal(bound, 'gitlab:project_path:acme/shop:ref_type:branch:ref:main');
    assert.equal(await may(token, 'get', 'configmaps', { name: roleName }), true);
    assert.equal(await may(token, 'list', 'configmaps'), false);
    assert.equal(await may(token, 'get', 'configmaps', { name: roleName, namespace: TEAM_B }), false);
  });

  test('another project, branch, tag or a subgroup project: authenticated (the group rule admits subgroups), no rights', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['project_path:acme/api:ref_type:branch:ref:main', { project_path: 'acme/api', project_id: '21' }],
      ['project_path:acme/shop:ref_type:branch:ref:feature/x', { ref: 'feature/x', ref_protected: 'false' }],
      ['project_path:acme/shop:ref_type:tag:ref:v1.0.0', { ref: 'v1.0.0', ref_type: 'tag' }],
      ['project_path:acme/platform/shop:ref_type:branch:ref:main', { namespace_path: 'acme/platform', project_path: 'acme/platform/shop' }],
    ];
    for (const [sub, over] of cases) {
      await assertNobodyBound(await mintOidcToken(gitlabClaims({ sub, ...over })), `gitlab:${sub}`, roleName, bound);
    }
  });

  test('refused (401): another group (also one whose name starts with acme), forged sub, gitlab.com, wrong audience, expired', async () => {
    const t = now();
    const refused: [string, string | Promise<string>][] = [
      ['group acmecorp', mintOidcToken(gitlabClaims({ sub: 'project_path:acmecorp/shop:ref_type:branch:ref:main', namespace_path: 'acmecorp', project_path: 'acmecorp/shop' }))],
      ['another group, same sub', mintOidcToken(gitlabClaims({ namespace_path: 'evil' }))],
      ['gitlab.com (public issuer, not this instance)', foreignToken(gitlabClaims({ iss: 'https://gitlab.com' }), 'k')],
      ['wrong audience', mintOidcToken(gitlabClaims({ aud: 'https://gitlab.com' }))],
      ['expired', mintOidcToken(gitlabClaims({ iat: t - 900, nbf: t - 900, exp: t - 60 }))],
      ['unknown key', foreignToken(gitlabClaims(), readIssuers(oidcDir).gitlab.kid)],
    ];
    for (const [what, token] of refused) assert.deepEqual(await whoAmI(await token), { status: 401 }, what);
  });
});

describe('the issuer follows the configured host', () => {
  test('GITHUB_API_URL of a GitHub Enterprise Server and GITLAB_HOST give the entries the cluster runs, without --issuer', async () => {
    const running = parse(readFileSync(join(clusterStateDir(), 'pki', 'authentication-config.yaml'), 'utf8')) as { jwt: { issuer: { url: string } }[] };
    const ghes = new URL(issuers.github);
    const env = { GITHUB_API_URL: `https://${ghes.host}/api/v3`, GITLAB_HOST: issuers.gitlab };
    for (const provider of ['github', 'gitlab'] as const) {
      const args = generatorArgs(provider, issuers[provider], caFile).slice(1, -2).filter((_, i, a) => a[i] !== '--issuer' && a[i - 1] !== '--issuer');
      const bundle = await identityOidc(args, env);
      assert.equal(bundle.issuer, issuers[provider]);
      assert.deepEqual(running.jwt.find((j) => j.issuer.url === issuers[provider]), (parse(bundle.authenticationConfiguration) as { jwt: unknown[] }).jwt[0]);
    }
  });
});

describe('the identities view lists keyless bindings', () => {
  test('with their OIDC subject, issuer and what they may do', async () => {
    const roleName = await role('tree');
    const { bundle } = await bind(roleName, 'gitlab', ['--repo', 'acme/shop', '--tag', 'v2']);
    const model = await identitiesFor(loadKubeconfig({ kubeconfig: clusterKubeconfigs().admin, trusted: true }), { namespaces: [TEAM_A] });
    const node = allIdentities(model).find((i) => i.name === bundle.username) ?? assert.fail(`${bundle.username} not in the tree`);
    assert.deepEqual(node.reasons, ['keyless-binding']);
    assert.deepEqual(node.oidc, { subject: 'project_path:acme/shop:ref_type:tag:ref:v2', issuer: issuers.gitlab });
    assert.deepEqual(node.bindings.map((b) => [b.name, b.role.name, b.role.rules.map((r) => r.text)]), [
      [`oidc-gitlab-${roleName}`, roleName, [`{APIGroups:[""], Resources:["configmaps"], ResourceNames:["${roleName}"], Verbs:["get"]}`]],
    ]);
    const view = identityNode(node, model.context);
    assert.match(view.description ?? '', new RegExp(`keyless, issuer ${new URL(issuers.gitlab).host.replace(/\./g, '\\.')}`));
    const tip = String(view.tooltip);
    assert.match(tip, /^- OIDC subject: project\\_path:acme\/shop:ref\\_type:tag:ref:v2$/m);
    // Escaped so VS Code's Markdown does not turn it into a link; it renders as the issuer URL.
    assert.ok(tip.includes(`- issuer: ${issuers.gitlab.replace('://', '\\://')}`), tip);
  });
});

describe('identity oidc --apply (as developer)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oidc-apply-'));
  const run = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await runIdentity(['oidc', '--namespace', TEAM_A, '--provider', 'github', '--repo', 'acme/web', '--environment', 'production', '--issuer', issuers.github, ...args, '--apply', '--kubeconfig', clusterKubeconfigs().developer], {
      env: {}, cwd: dir, stdout: (s) => void (out += s), stderr: (s) => void (err += s),
    });
    return { code, out, err };
  };
  const roleFile = (name: string, rules: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ${name}\nrules:\n${rules}`;

  test('applies the Role file and the RoleBinding after the checks; the token then holds exactly that Role', async () => {
    const name = `${base}-applied`;
    writeFileSync(join(dir, 'ok.yaml'), roleFile(name, `  - apiGroups: [""]\n    resources: [configmaps]\n    resourceNames: [${name}]\n    verbs: [get]\n`));
    const r = await run(['--role-file', 'ok.yaml']);
    created.bindings.push(`oidc-github-${name}`);
    created.roles.push(name);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^Applied Role ${TEAM_A}/${name} \\(created\\) and RoleBinding ${TEAM_A}/oidc-github-${name} \\(created\\) to Role ${name}\\.$`, 'm'));
    const token = await mintOidcToken(githubClaims());
    assert.equal(await may(token, 'get', 'configmaps', { name }), true);
    // Idempotent: a second run updates, creates nothing.
    const again = await run(['--role-file', 'ok.yaml']);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /\(updated\) and RoleBinding .* \(updated\)/);
  });

  test('a Role granting what developer does not hold is refused before anything exists', async () => {
    const name = `${base}-greedy`;
    writeFileSync(join(dir, 'greedy.yaml'), roleFile(name, '  - apiGroups: [""]\n    resources: [secrets]\n    verbs: [get, list]\n'));
    const r = await run(['--role-file', 'greedy.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.err, /nothing was created/);
    assert.match(r.err, /greedy\.yaml:\d+: .*\[not-held\]/);
    assert.equal(await rbac.readNamespacedRole({ name, namespace: TEAM_A }).then(() => 'exists', (e: unknown) => apiStatus(e)?.code), 404);
    assert.equal(await rbac.readNamespacedRoleBinding({ name: `oidc-github-${name}`, namespace: TEAM_A }).then(() => 'exists', (e: unknown) => apiStatus(e)?.code), 404);
  });
});
