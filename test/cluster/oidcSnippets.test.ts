// The keyless workflow snippets, run: the login step `identity oidc` prints is executed by bash (GitHub: against
// a local stand-in for the Actions ID-token endpoint; GitLab: with the id_tokens variable set as the runner does),
// and the kubeconfig it writes reaches the real apiserver as the bound pipeline. The deploy step itself
// (`kubectl apply`) is the runner's kubectl; here the same request goes through @kubernetes/client-node.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuthenticationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1RoleBinding } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { runIdentity } from '../../server/src/cli/identity';
import { TEAM_A, apiStatus, clusterStateDir, deleteIfExists, kubeConfigFor, mintOidcToken, oidcIssuers, uniqueName } from './harness';

const issuers = oidcIssuers();
const caFile = join(clusterStateDir(), 'pki', 'oidc', 'ca.crt');
const admin = kubeConfigFor('admin');
const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
const core = admin.makeApiClient(CoreV1Api);
const server = admin.getCurrentCluster()?.server ?? assert.fail('no admin cluster');
const caData = readFileSync(join(clusterStateDir(), 'pki', 'ca.crt')).toString('base64');
const base = uniqueName('oidc-snip');
const cleanup: (() => Promise<unknown>)[] = [];

interface Bundle {
  username: string;
  roleBinding: string;
  workflow: string;
}

async function bundleFor(provider: 'github' | 'gitlab', roleName: string, args: string[]): Promise<Bundle> {
  let out = '';
  const code = await runIdentity(
    ['oidc', '--namespace', TEAM_A, '--provider', provider, '--role', roleName, ...args, '--issuer', issuers[provider], '--certificate-authority', caFile, '--format', 'json'],
    { env: {}, cwd: process.cwd(), stdout: (s) => void (out += s), stderr: () => undefined },
  );
  assert.equal(code, 0);
  const bundle = JSON.parse(out) as Bundle;
  await rbac.createNamespacedRole({
    namespace: TEAM_A,
    body: { metadata: { name: roleName }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'patch'] }] },
  });
  const binding = await rbac.createNamespacedRoleBinding({ namespace: TEAM_A, body: parse(bundle.roleBinding) as V1RoleBinding });
  cleanup.push(
    () => deleteIfExists(() => rbac.deleteNamespacedRoleBinding({ name: binding.metadata?.name ?? '', namespace: TEAM_A })),
    () => deleteIfExists(() => rbac.deleteNamespacedRole({ name: roleName, namespace: TEAM_A })),
  );
  return bundle;
}

/** Runs a step's script as the runners do (GitHub: `bash --noprofile --norc -eo pipefail`); async, as the stand-in answers in-process. */
function bash(script: string, env: Record<string, string>, cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr });
    });
  });
}

/** Proves the kubeconfig the login step wrote: 0600, authenticates as the bound user, and the pipeline can deploy. */
async function reachAsPipeline(kubeconfigPath: string, bound: string, namespace: string): Promise<void> {
  assert.equal(statSync(kubeconfigPath).mode & 0o777, 0o600);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  assert.equal(kc.getContextObject(kc.getCurrentContext())?.namespace, namespace);
  const who = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  assert.equal(who.status?.userInfo?.username, bound);
  const name = uniqueName('deployed');
  await kc.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { by: 'pipeline' } } });
  cleanup.push(() => deleteIfExists(() => core.deleteNamespacedConfigMap({ name, namespace })));
  assert.equal((await core.readNamespacedConfigMap({ name, namespace })).data?.by, 'pipeline');
  // What the Role does not grant stays refused for this kubeconfig.
  await assert.rejects(kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace }), (err: unknown) => apiStatus(err)?.code === 403);
}

after(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('GitHub Actions login step', () => {
  let stand: Server;
  let url = '';
  const requestToken = randomBytes(16).toString('hex');
  const requests: { auth: string | undefined; audience: string | null }[] = [];

  before(async () => {
    // Stand-in for ACTIONS_ID_TOKEN_REQUEST_URL: the runner's endpoint takes the job's request token as bearer and
    // an `audience` query parameter, and answers {"count": N, "value": "<ID token>"} (actions/toolkit core.getIDToken).
    stand = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const audience = u.searchParams.get('audience');
      requests.push({ auth: req.headers.authorization, audience });
      if (req.headers.authorization !== `bearer ${requestToken}` || u.searchParams.get('api-version') !== '2.0') {
        res.writeHead(401).end('{"message":"unauthorized"}');
        return;
      }
      const t = Math.floor(Date.now() / 1000);
      void mintOidcToken({
        iss: issuers.github, aud: audience ?? 'https://github.com/acme', sub: 'repo:acme/web:environment:production',
        repository: 'acme/web', repository_owner: 'acme', environment: 'production', ref: 'refs/heads/main', event_name: 'push',
        jti: randomUUID(), iat: t, nbf: t - 5, exp: t + 300,
      }).then((value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: value.length, value })));
    });
    await new Promise<void>((r) => stand.listen(0, '127.0.0.1', r));
    const port = (stand.address() as { port: number }).port;
    url = `http://127.0.0.1:${port}/_apis/distributedtask/hubs/Actions/plans/p/jobs/j/idtoken?api-version=2.0`;
  });

  after(() => new Promise<void>((r) => stand.close(() => r())));

  test('the login step fetches the ID token for the audience and writes a kubeconfig that reaches the apiserver as the binding', async () => {
    const bundle = await bundleFor('github', `${base}-gh`, ['--repo', 'acme/web', '--environment', 'production']);
    const workflow = parse(bundle.workflow) as { jobs: { deploy: { steps: { name?: string; run?: string }[] } } };
    const login = workflow.jobs.deploy.steps.find((s) => s.name?.startsWith('Log in'))?.run ?? assert.fail('no login step');
    // Actions evaluates ${{ }} expressions before the shell runs; these two are the repository variables.
    const script = login.replaceAll('${{ vars.K8S_SERVER }}', server).replaceAll('${{ vars.K8S_CA_DATA }}', caData);
    assert.doesNotMatch(script, /\$\{\{/);
    const runner = mkdtempSync(join(tmpdir(), 'runner-'));
    const githubEnv = join(runner, 'github_env');
    const r = await bash(script, { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken, RUNNER_TEMP: runner, GITHUB_ENV: githubEnv }, runner);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(requests, [{ auth: `bearer ${requestToken}`, audience: 'kubernetes' }]);
    assert.match(r.stdout, /^::add-mask::eyJ/m); // the runner masks the token in the log from here on
    const kubeconfig = /^KUBECONFIG=(.+)$/m.exec(readFileSync(githubEnv, 'utf8'))?.[1] ?? assert.fail('KUBECONFIG not exported to later steps');
    assert.equal(kubeconfig, join(runner, 'kubeconfig'));
    await reachAsPipeline(kubeconfig, bundle.username, TEAM_A);
  });

  test('a refused token request stops the step before any kubeconfig exists', async () => {
    const bundle = await bundleFor('github', `${base}-gh2`, ['--repo', 'acme/web', '--environment', 'production']);
    const login = (parse(bundle.workflow) as { jobs: { deploy: { steps: { name?: string; run?: string }[] } } }).jobs.deploy.steps.find((s) => s.name?.startsWith('Log in'))?.run ?? '';
    const runner = mkdtempSync(join(tmpdir(), 'runner-'));
    const r = await bash(login.replaceAll('${{ vars.K8S_SERVER }}', server).replaceAll('${{ vars.K8S_CA_DATA }}', caData), {
      ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-the-job-token', RUNNER_TEMP: runner, GITHUB_ENV: join(runner, 'github_env'),
    }, runner);
    assert.notEqual(r.status, 0);
    assert.throws(() => statSync(join(runner, 'kubeconfig')), /ENOENT/);
    assert.throws(() => statSync(join(runner, 'github_env')), /ENOENT/);
  });
});

describe('GitLab CI login script', () => {
  test('the id_tokens variable becomes a kubeconfig that reaches the apiserver as the binding', async () => {
    const bundle = await bundleFor('gitlab', `${base}-gl`, ['--repo', 'acme/shop', '--branch', 'main']);
    const job = parse(bundle.workflow) as { deploy: { id_tokens: { K8S_ID_TOKEN: { aud: string } }; script: string[] } };
    const login = job.deploy.script[0] ?? assert.fail('no login script');
    const t = Math.floor(Date.now() / 1000);
    // GitLab puts the ID token for id_tokens.K8S_ID_TOKEN (aud as configured) in that variable before the script runs.
    const token = await mintOidcToken({
      iss: issuers.gitlab, aud: job.deploy.id_tokens.K8S_ID_TOKEN.aud, sub: 'project_path:acme/shop:ref_type:branch:ref:main',
      namespace_path: 'acme', project_path: 'acme/shop', ref: 'main', ref_type: 'branch', ref_protected: 'true',
      jti: randomUUID(), iat: t, nbf: t - 5, exp: t + 300,
    });
    const build = mkdtempSync(join(tmpdir(), 'gitlab-build-'));
    const r = await bash(`${login}\necho "KUBECONFIG=$KUBECONFIG"`, { K8S_ID_TOKEN: token, K8S_SERVER: server, K8S_CA_DATA: caData, CI_PROJECT_DIR: build, TMPDIR: build }, build);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(token.slice(-20)));
    const kubeconfig = /^KUBECONFIG=(.+)$/m.exec(r.stdout)?.[1] ?? assert.fail('no KUBECONFIG');
    await reachAsPipeline(kubeconfig, bundle.username, TEAM_A);
  });
});
