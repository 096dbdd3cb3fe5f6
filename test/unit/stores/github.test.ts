import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GitHubSecretStore, GITHUB_SECRET_MAX_BYTES } from '../../../server/src/core/stores/github';
import { StoreError } from '../../../server/src/core/stores/secretStore';
import type { GitHubTarget } from '../../../server/src/core/stores/target';
import { GitHubFake } from '../../fakes/github';
import { closedPortUrl } from '../../fakes/httpFake';
import { sampleKubeconfig } from '../../fakes/kubeconfig';

const TOKEN = 'ghp_fakeTokenForTests0123456789abcdef';

describe('GitHub Actions secret store', () => {
  let fake: GitHubFake;
  before(async () => {
    fake = await GitHubFake.start({ token: TOKEN, repos: { 'acme/app': ['production', 'prod/eu west'], 'acme/empty': [] } });
  });
  after(() => fake.close());

  const store = (t: Partial<GitHubTarget> = {}, opts: { token?: string; createEnvironment?: boolean } = {}) =>
    new GitHubSecretStore(
      { kind: 'github', owner: 'acme', repo: 'app', name: 'kube_config', ...t },
      { token: opts.token ?? TOKEN, baseUrl: fake.baseUrl, createEnvironment: opts.createEnvironment },
    );

  it('seals a repository secret that the key owner decrypts back to the kubeconfig', async () => {
    const kc = sampleKubeconfig();
    const first = await store().put(kc.text);
    assert.equal(first.action, 'created');
    assert.equal(fake.secret('acme/app', 'KUBE_CONFIG'), kc.text);
    const put = fake.requests.find((r) => r.method === 'PUT')!;
    assert.equal(put.rawPath, '/repos/acme/app/actions/secrets/KUBE_CONFIG', 'name is stored upper-case');
    assert.ok(!put.body.includes(kc.token), 'the request carries only the sealed value');
    const kc2 = sampleKubeconfig();
    assert.equal((await store().put(kc2.text)).action, 'updated');
    assert.equal(fake.secret('acme/app', 'KUBE_CONFIG'), kc2.text);
    assert.equal(await store().exists(), true);
  });

  it('writes an environment secret with the environment name URL-encoded', async () => {
    const kc = sampleKubeconfig();
    const before = fake.requests.length;
    const s = store({ environment: 'prod/eu west', name: 'KUBECONFIG' });
    assert.match(s.describe(), /KUBECONFIG of acme\/app \(environment "prod\/eu west"\)/);
    await s.put(kc.text);
    assert.equal(fake.secret('acme/app', 'KUBECONFIG', 'prod/eu west'), kc.text);
    const paths = fake.requests.slice(before).map((r) => `${r.method} ${r.rawPath}`);
    assert.deepEqual(paths, [
      'GET /repos/acme/app/environments/prod%2Feu%20west/secrets/public-key',
      'PUT /repos/acme/app/environments/prod%2Feu%20west/secrets/KUBECONFIG',
    ]);
    await s.delete();
    assert.equal(fake.secret('acme/app', 'KUBECONFIG', 'prod/eu west'), undefined);
  });

  it('does not create a missing environment unless asked, and warns when it does', async () => {
    const kc = sampleKubeconfig();
    await assert.rejects(store({ environment: 'staging' }).put(kc.text), (e: StoreError) => {
      assert.equal(e.code, 'not-found');
      assert.match(e.message, /Environment "staging" of acme\/app was not found/);
      return true;
    });
    assert.equal(fake.hasEnvironment('acme/app', 'staging'), false);
    const res = await store({ environment: 'staging' }, { createEnvironment: true }).put(kc.text);
    assert.equal(fake.hasEnvironment('acme/app', 'staging'), true);
    assert.equal(fake.secret('acme/app', 'KUBE_CONFIG', 'staging'), kc.text);
    assert.match(res.warnings.join('\n'), /without protection rules/);
  });

  it('deletes the environment it created when the secret write then fails', async () => {
    fake.server.failWith({ status: 500, method: 'PUT', path: /\/secrets\// });
    await assert.rejects(store({ environment: 'canary' }, { createEnvironment: true }).put(sampleKubeconfig().text), { code: 'server' });
    assert.equal(fake.hasEnvironment('acme/app', 'canary'), false);
  });

  it('rejects bad names and oversize values before any request', async () => {
    const before = fake.requests.length;
    const kc = sampleKubeconfig().text;
    const cases: Array<[Partial<GitHubTarget>, string, RegExp]> = [
      [{ name: 'GITHUB_KUBECONFIG' }, kc, /must not start with GITHUB_/],
      [{ name: 'github_token' }, kc, /must not start with GITHUB_/],
      [{ name: '1KUBE' }, kc, /must not start with a digit/],
      [{ name: 'KUBE-CONFIG' }, kc, /letters, digits and "_"/],
      [{ name: 'KUBE CONFIG' }, kc, /letters, digits and "_"/],
      [{ owner: 'ac/me' }, kc, /not a GitHub user or organization/],
      [{ repo: '..' }, kc, /not a GitHub repository name/],
      [{}, 'x'.repeat(GITHUB_SECRET_MAX_BYTES + 1), /49153 bytes; GitHub Actions secrets are limited to 48 KB/],
      [{}, '', /empty/],
    ];
    for (const [t, value, re] of cases) {
      assert.throws(() => store(t).validate(value), (e: StoreError) => e instanceof StoreError && e.code === 'invalid' && re.test(e.message));
      await assert.rejects(store(t).put(value), (e: StoreError) => e.code === 'invalid' && re.test(e.message));
    }
    assert.throws(() => store({}, { token: '' }).validate(kc), { code: 'auth' });
    assert.equal(fake.requests.length, before, 'no request reached the server');
    // Exactly the limit is fine.
    await store({ name: 'BIG' }).put('x'.repeat(GITHUB_SECRET_MAX_BYTES));
    assert.equal(fake.secret('acme/app', 'BIG')?.length, GITHUB_SECRET_MAX_BYTES);
  });

  it('turns 401, 403, 404, 422 and 5xx into clear errors', async () => {
    const kc = sampleKubeconfig().text;
    await assert.rejects(store({}, { token: 'ghp_wrong_token_value_123456' }).put(kc), (e: StoreError) => {
      assert.equal(e.code, 'auth');
      assert.equal(e.status, 401);
      assert.match(e.message, /GitHub rejected the token \(401 Unauthorized: Bad credentials\): it is wrong, expired or revoked/);
      return true;
    });
    fake.server.failWith({ status: 403, body: { message: 'Resource not accessible by personal access token' }, path: /public-key/ });
    await assert.rejects(store().put(kc), (e: StoreError) => {
      assert.equal(e.code, 'forbidden');
      assert.match(e.message, /refused to read the Actions public key of acme\/app \(403 Forbidden: Resource not accessible/);
      assert.match(e.message, /"Secrets" repository permission/);
      return true;
    });
    await assert.rejects(store({ owner: 'nobody', repo: 'nothing' }).put(kc), (e: StoreError) => {
      assert.equal(e.code, 'not-found');
      assert.match(e.message, /^Repository nobody\/nothing was not found or the token cannot see it \(404: Not Found\)\.$/);
      return true;
    });
    fake.server.failWith({ status: 422, body: { message: 'Validation Failed' }, method: 'PUT' });
    await assert.rejects(store().put(kc), (e: StoreError) => {
      assert.equal(e.code, 'invalid');
      assert.match(e.message, /GitHub rejected the request to write GitHub Actions secret KUBE_CONFIG of acme\/app.*\(422: Validation Failed\)/);
      return true;
    });
    fake.server.failWith({ status: 503, body: { message: 'Service Unavailable' }, method: 'PUT' });
    await assert.rejects(store().put(kc), (e: StoreError) => {
      assert.equal(e.code, 'server');
      assert.match(e.message, /server error .*\(503: Service Unavailable\); try again later/);
      return true;
    });
  });

  it('reports a server that cannot be reached as a network error', async () => {
    const s = new GitHubSecretStore({ kind: 'github', owner: 'acme', repo: 'app', name: 'K' }, { token: TOKEN, baseUrl: await closedPortUrl() });
    await assert.rejects(s.put('value-123'), (e: StoreError) => e.code === 'network' && /Could not reach GitHub .*ECONNREFUSED/.test(e.message));
  });

  it('refuses plain http to a remote GitHub Enterprise host, and works under an /api/v3 prefix', async () => {
    const remote = new GitHubSecretStore({ kind: 'github', owner: 'acme', repo: 'app', name: 'K' }, { token: TOKEN, baseUrl: 'http://ghe.example.com/api/v3' });
    assert.throws(() => remote.validate('value-123'), /plain http/);
    const ghes = await GitHubFake.start({ token: TOKEN, repos: { 'acme/app': [] }, prefix: '/api/v3' });
    try {
      const s = new GitHubSecretStore({ kind: 'github', owner: 'acme', repo: 'app', name: 'K' }, { token: TOKEN, baseUrl: ghes.baseUrl });
      assert.match(s.describe(), /on 127\.0\.0\.1:\d+$/);
      await s.put('value-123');
      assert.equal(ghes.secret('acme/app', 'K'), 'value-123');
      assert.equal(ghes.requests[0]!.rawPath, '/api/v3/repos/acme/app/actions/secrets/public-key');
    } finally {
      await ghes.close();
    }
  });

  it('delete succeeds when the secret is already gone but not when the repository is invisible', async () => {
    await store({ name: 'GONE' }).put('value-123');
    await store({ name: 'GONE' }).delete();
    assert.equal(fake.secret('acme/app', 'GONE'), undefined);
    await store({ name: 'GONE' }).delete();
    assert.equal(await store({ name: 'GONE' }).exists(), false);
    await assert.rejects(store({ repo: 'missing' }).delete(), { code: 'not-found' });
  });
});
