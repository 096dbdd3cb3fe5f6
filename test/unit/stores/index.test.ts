import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, credentialsFromEnv, parseExportTarget } from '../../../server/src/core/stores/index';
import { GitHubFake } from '../../fakes/github';
import { GitLabFake } from '../../fakes/gitlab';
import { VaultFake } from '../../fakes/vault';
import { sampleKubeconfig } from '../../fakes/kubeconfig';

describe('createStore', () => {
  let gh: GitHubFake, gl: GitLabFake, vault: VaultFake, dir: string;
  const tokens = { githubToken: 'ghp_index_test_token_1234', gitlabToken: 'glpat-index-test-token-1234', vaultToken: 'hvs.index-test-token-1234' };
  before(async () => {
    gh = await GitHubFake.start({ token: tokens.githubToken, repos: { 'acme/app': ['production'] } });
    gl = await GitLabFake.start({ token: tokens.gitlabToken, projects: { 'group/app': { id: 1 } } });
    vault = await VaultFake.start({ token: tokens.vaultToken, mounts: ['kv'] });
    dir = await mkdtemp(join(tmpdir(), 'pipeline-rbac-index-'));
  });
  after(async () => {
    await Promise.all([gh.close(), gl.close(), vault.close(), rm(dir, { recursive: true, force: true })]);
  });

  it('builds each store from a CLI target and credentials, and each one round-trips', async () => {
    const creds = { ...tokens, githubBaseUrl: gh.baseUrl, gitlabHost: gl.url, vaultAddr: vault.url };
    const kc = sampleKubeconfig();
    const cases = [
      ['github:acme/app@production:KUBECONFIG', 'github', () => gh.secret('acme/app', 'KUBECONFIG', 'production')],
      ['gitlab:group/app:KUBECONFIG@production', 'gitlab', () => gl.variable('group/app', 'KUBECONFIG', 'production')?.value],
      ['vault:kv/ci/app', 'vault', () => vault.secret('kv', 'ci/app')?.['kubeconfig']],
      ['file:ci.kubeconfig', 'file', () => readFile(join(dir, 'ci.kubeconfig'), 'utf8')],
    ] as const;
    for (const [spec, kind, stored] of cases) {
      const store = createStore(parseExportTarget(spec), creds, { cwd: dir });
      assert.equal(store.kind, kind);
      assert.equal((await store.put(kc.text)).action, 'created', spec);
      assert.equal(await stored(), kc.text, spec);
      assert.ok(!store.describe().includes(kc.token));
    }
  });

  it('reports a missing credential as an auth error before any request', async () => {
    const before = gh.requests.length + gl.requests.length + vault.requests.length;
    for (const [spec, re] of [
      ['github:acme/app:K', /GitHub token is required \(CLI: set GITHUB_TOKEN\)/],
      ['gitlab:group/app:K', /GitLab token is required \(CLI: set GITLAB_TOKEN\)/],
      ['vault:kv/x', /Vault token is required \(CLI: set VAULT_TOKEN\)/],
    ] as const) {
      await assert.rejects(createStore(parseExportTarget(spec), {}).put('value-123'), (e: Error & { code?: string }) => e.code === 'auth' && re.test(e.message));
    }
    await assert.rejects(createStore(parseExportTarget('vault:kv/x'), { vaultToken: 'hvs.x-token-123' }).put('value-123'), /VAULT_ADDR/);
    assert.equal(gh.requests.length + gl.requests.length + vault.requests.length, before);
  });

  it('describes a store with a malformed server URL, and rejects it on put', async () => {
    for (const [spec, c] of [
      ['github:acme/app:K', { githubToken: 'ghp_x_123456', githubBaseUrl: 'not a url' }],
      ['gitlab:group/app:K', { gitlabToken: 'glpat-x-123456', gitlabHost: 'not a url' }],
      ['vault:kv/x', { vaultToken: 'hvs.x-123456', vaultAddr: 'not a url' }],
    ] as const) {
      const store = createStore(parseExportTarget(spec), c);
      assert.match(store.describe(), /not a url/);
      await assert.rejects(store.put('value-123'), (e: Error & { code?: string }) => e.code === 'invalid' && /is not a URL/.test(e.message));
    }
  });

  it('reads CLI credentials from the environment', () => {
    assert.deepEqual(
      credentialsFromEnv({ GITHUB_TOKEN: 'a', GITLAB_TOKEN: 'b', GITLAB_HOST: 'gitlab.example.com', VAULT_TOKEN: 'c', VAULT_ADDR: 'https://v:8200', VAULT_NAMESPACE: '' }),
      { githubToken: 'a', githubBaseUrl: undefined, gitlabToken: 'b', gitlabHost: 'https://gitlab.example.com', vaultToken: 'c', vaultAddr: 'https://v:8200', vaultNamespace: undefined },
    );
  });
});
