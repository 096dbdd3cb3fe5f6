// A store server that answers with a redirect must not make the store send its token (or the kubeconfig)
// to the redirect's origin: each fake redirects to a second local server that records what reaches it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GitLabVariableStore } from '../../../server/src/core/stores/gitlab';
import { GitHubSecretStore } from '../../../server/src/core/stores/github';
import { VaultKvStore } from '../../../server/src/core/stores/vault';
import { StoreError } from '../../../server/src/core/stores/secretStore';
import { GitLabFake } from '../../fakes/gitlab';
import { GitHubFake } from '../../fakes/github';
import { VaultFake } from '../../fakes/vault';
import { catchAllServer, type FakeServer } from '../../fakes/httpFake';
import { sampleKubeconfig } from '../../fakes/kubeconfig';

const GITLAB_TOKEN = 'glpat-redirectTokenForTests0123456789';
const GITHUB_TOKEN = 'ghp_redirectTokenForTests0123456789abcd';
const VAULT_TOKEN = 'hvs.redirectVaultTokenForTests0123';

/** Asserts `p` fails with a StoreError that names the redirect's origin and holds no secret; returns it. */
async function refusedRedirect(p: Promise<unknown>, origin: string, secrets: string[]): Promise<StoreError> {
  const err = await p.then(
    () => assert.fail('the operation followed or ignored the redirect'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StoreError, `a StoreError, got ${String(err)}`);
  assert.match(err.message, /redirect to/);
  assert.ok(err.message.includes(origin), `names ${origin}: ${err.message}`);
  assert.ok(!err.message.includes('/stolen'), 'names the origin only, not the path');
  for (const s of secrets) assert.ok(!err.message.includes(s), 'no secret in the message');
  return err;
}

function nothingArrived(catcher: FakeServer, token: string, kubeconfigToken: string): void {
  for (const r of catcher.requests) {
    assert.ok(!JSON.stringify(r.headers).includes(token), 'the store token reached the redirect target');
    assert.ok(!r.body.includes(kubeconfigToken), 'the kubeconfig reached the redirect target');
  }
  assert.equal(catcher.requests.length, 0, 'no request reached the redirect target');
}

describe('stores refuse redirects', () => {
  let catcher: FakeServer;
  let gitlab: GitLabFake;
  let github: GitHubFake;
  let vault: VaultFake;
  before(async () => {
    catcher = await catchAllServer();
    gitlab = await GitLabFake.start({ token: GITLAB_TOKEN, projects: { 'group/app': { id: 42 } } });
    github = await GitHubFake.start({ token: GITHUB_TOKEN, repos: { 'acme/app': [] } });
    vault = await VaultFake.start({ token: VAULT_TOKEN, mounts: ['kv'] });
  });
  after(async () => {
    await Promise.all([catcher.close(), gitlab.close(), github.close(), vault.close()]);
  });

  const gitlabStore = () => new GitLabVariableStore({ kind: 'gitlab', project: 'group/app', key: 'KUBECONFIG' }, { token: GITLAB_TOKEN, host: gitlab.url });

  for (const status of [301, 302, 303, 307, 308]) {
    it(`GitLab: a ${status} on the first request sends neither PRIVATE-TOKEN nor the kubeconfig to the new origin`, async () => {
      const kc = sampleKubeconfig();
      gitlab.server.failWith({ status, method: 'GET', headers: { location: `${catcher.url}/stolen?x=1` } });
      const err = await refusedRedirect(gitlabStore().put(kc.text), catcher.url, [GITLAB_TOKEN, kc.token]);
      assert.equal(err.status, status);
      nothingArrived(catcher, GITLAB_TOKEN, kc.token);
    });
  }

  it('GitLab: a 307 answering the create (the body is the kubeconfig) is not re-sent', async () => {
    const kc = sampleKubeconfig();
    gitlab.server.failWith({ status: 307, method: 'POST', headers: { location: `${catcher.url}/stolen` } });
    await refusedRedirect(gitlabStore().put(kc.text), catcher.url, [GITLAB_TOKEN, kc.token]);
    nothingArrived(catcher, GITLAB_TOKEN, kc.token);
    assert.equal(gitlab.variable('group/app', 'KUBECONFIG'), undefined);
  });

  it('GitLab: a relative redirect is refused too, naming the same origin', async () => {
    gitlab.server.failWith({ status: 302, method: 'GET', headers: { location: '/elsewhere' } });
    await refusedRedirect(gitlabStore().exists(), gitlab.url, [GITLAB_TOKEN]);
  });

  it('GitLab: exists() and delete() refuse redirects as put() does', async () => {
    gitlab.server.failWith({ status: 302, headers: { location: `${catcher.url}/stolen` } });
    await refusedRedirect(gitlabStore().exists(), catcher.url, [GITLAB_TOKEN]);
    gitlab.server.failWith({ status: 308, method: 'DELETE', headers: { location: `${catcher.url}/stolen` } });
    await refusedRedirect(gitlabStore().delete(), catcher.url, [GITLAB_TOKEN]);
    nothingArrived(catcher, GITLAB_TOKEN, 'none');
  });

  const githubStore = () =>
    new GitHubSecretStore({ kind: 'github', owner: 'acme', repo: 'app', name: 'KUBE_CONFIG' }, { token: GITHUB_TOKEN, baseUrl: github.baseUrl });

  for (const status of [302, 307]) {
    it(`GitHub: a ${status} reading the public key is refused`, async () => {
      const kc = sampleKubeconfig();
      github.server.failWith({ status, method: 'GET', headers: { location: `${catcher.url}/stolen` } });
      await refusedRedirect(githubStore().put(kc.text), catcher.url, [GITHUB_TOKEN, kc.token]);
      nothingArrived(catcher, GITHUB_TOKEN, kc.token);
    });
  }

  it('GitHub: a 308 answering the secret write does not re-send the sealed value', async () => {
    const kc = sampleKubeconfig();
    github.server.failWith({ status: 308, method: 'PUT', headers: { location: `${catcher.url}/stolen` } });
    await refusedRedirect(githubStore().put(kc.text), catcher.url, [GITHUB_TOKEN, kc.token]);
    nothingArrived(catcher, GITHUB_TOKEN, kc.token);
  });

  it('Vault: a 307 is refused, naming the origin', async () => {
    const kc = sampleKubeconfig();
    vault.server.failWith({ status: 307, headers: { location: `${catcher.url}/stolen` } });
    const store = new VaultKvStore({ kind: 'vault', mount: 'kv', path: 'ci/app' }, { token: VAULT_TOKEN, address: vault.url });
    await refusedRedirect(store.put(kc.text), catcher.url, [VAULT_TOKEN, kc.token]);
    nothingArrived(catcher, VAULT_TOKEN, kc.token);
  });
});
