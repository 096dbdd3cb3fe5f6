// Runs every store through successes and failures (rule violations, 401/403/404/4xx/5xx, servers
// that echo the request back, conflicts, unreachable hosts) and scans everything a caller could
// print (messages, String(e), stacks, util.inspect with hidden fields, JSON, results, describe(),
// warnings, and anything written to stdout/stderr meanwhile) for the credential tokens and the
// kubeconfig bytes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, parseExportTarget, StoreError, type SecretStore, type StoreOptions } from '../../../server/src/core/stores/index';
import { GitHubFake } from '../../fakes/github';
import { GitLabFake } from '../../fakes/gitlab';
import { VaultFake } from '../../fakes/vault';
import { closedPortUrl, type FakeServer } from '../../fakes/httpFake';
import { sampleKubeconfig } from '../../fakes/kubeconfig';

const tokens = { githubToken: 'ghp_leakTestToken_A1b2C3d4E5', gitlabToken: 'glpat-leakTestToken-F6g7H8', vaultToken: 'hvs.leakTestToken.I9j0K1' };

describe('no secret in any error or output', () => {
  let gh: GitHubFake, gl: GitLabFake, vault: VaultFake, dir: string;
  before(async () => {
    gh = await GitHubFake.start({ token: tokens.githubToken, repos: { 'acme/app': ['production'] } });
    gl = await GitLabFake.start({ token: tokens.gitlabToken, projects: { 'group/app': { id: 1 }, 'group/dev': { id: 2, role: 'developer' } } });
    vault = await VaultFake.start({ token: tokens.vaultToken, mounts: ['kv'] });
    dir = await mkdtemp(join(tmpdir(), 'pipeline-rbac-leak-'));
  });
  after(async () => {
    await Promise.all([gh.close(), gl.close(), vault.close(), rm(dir, { recursive: true, force: true })]);
  });

  it('collects every error and output and finds neither tokens nor kubeconfig bytes', async () => {
    const kc = sampleKubeconfig();
    const value = kc.text;
    const b64 = Buffer.from(value).toString('base64');
    const forbidden = [tokens.githubToken, tokens.gitlabToken, tokens.vaultToken, value, JSON.stringify(value).slice(1, -1), b64, kc.token, kc.token.slice(0, 60)];
    // What each server could echo: its own token, the value in every form, and a truncated bearer token.
    const echo = (token: string) => `you sent ${token} with ${value} aka ${b64} token=${kc.token} or ${kc.token.slice(0, 60)}`;
    const creds = { ...tokens, githubBaseUrl: gh.baseUrl, gitlabHost: gl.url, vaultAddr: vault.url };
    const down = await closedPortUrl();

    const outputs: string[] = [];
    const errors: StoreError[] = [];
    const record = (e: unknown) => {
      assert.ok(e instanceof StoreError, `expected a StoreError, got ${inspect(e)}`);
      errors.push(e);
      outputs.push(e.message, String(e), e.stack ?? '', inspect(e, { depth: 20, showHidden: true }), JSON.stringify(e));
    };
    const run = async (spec: string, v: string, opts: StoreOptions = {}, c: object = creds, op: 'put' | 'delete' | 'exists' = 'put') => {
      const store: SecretStore = createStore(parseExportTarget(spec), c, { cwd: dir, ...opts });
      outputs.push(store.describe(), store.warning?.() ?? '');
      try {
        if (op === 'put') outputs.push(JSON.stringify(await store.put(v)), inspect(store, { depth: 5 }));
        else if (op === 'delete') await store.delete();
        else await store.exists?.();
      } catch (e) {
        record(e);
      }
    };
    const failNext = (server: FakeServer, status: number, body: unknown, times = 1) => server.failWith({ status, body, times });

    // Capture anything libraries print while the stores run.
    const writes: string[] = [];
    const orig = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
    const capture = (chunk: unknown) => {
      writes.push(String(chunk));
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
      for (const spec of ['github:acme/app:KUBECONFIG', 'github:acme/app@production:KUBECONFIG', 'gitlab:group/app:KUBECONFIG', 'vault:kv/ci/app', 'file:ok.kubeconfig']) {
        await run(spec, value); // success
        await run(spec, value); // update
      }
      await run('gitlab:group/app:KUBE_B64', value, { gitlabMode: 'masked-base64' });
      // Rule violations.
      await run('github:acme/app:GITHUB_X', value);
      await run('github:acme/app:K', value.repeat(40));
      await run('gitlab:group/app:KUBE', value, { gitlabMode: 'masked' });
      await run('gitlab:group/app:KUBECONFIG', value, { gitlabMode: 'masked-base64' });
      // Wrong tokens.
      await run('github:acme/app:K', value, {}, { ...creds, githubToken: tokens.gitlabToken });
      await run('gitlab:group/app:K', value, {}, { ...creds, gitlabToken: tokens.vaultToken });
      await run('vault:kv/x', value, {}, { ...creds, vaultToken: tokens.githubToken });
      // Servers that fail and echo the request back, for every status.
      for (const status of [400, 401, 403, 404, 409, 422, 429, 500, 503]) {
        failNext(gh.server, status, { message: echo(tokens.githubToken) });
        await run('github:acme/app:K', value);
        gh.server.failWith({ status, body: { message: echo(tokens.githubToken) }, method: 'PUT' });
        await run('github:acme/app:K2', value);
        failNext(gl.server, status, { message: echo(tokens.gitlabToken) });
        await run('gitlab:group/app:K', value);
        failNext(gl.server, status, { message: { value: [echo(tokens.gitlabToken)] } });
        await run('gitlab:group/app:K', value, { gitlabMode: 'masked-base64' });
        failNext(vault.server, status, { errors: [echo(tokens.vaultToken)] });
        await run('vault:kv/x', value);
        failNext(vault.server, status, echo(tokens.vaultToken)); // plain-text error body
        await run('vault:kv/x', value, {}, creds, 'delete');
      }
      // 403 from role, 404 project, cas conflict, unreachable hosts, file errors.
      await run('gitlab:group/dev:K', value);
      await run('gitlab:group/nope:K', value, {}, creds, 'delete');
      let bumped = false;
      vault.server.onRequest((r) => {
        if (!bumped && r.method === 'POST' && r.rawPath === '/v1/kv/data/race') {
          bumped = true;
          vault.write('kv', 'race', { kubeconfig: 'other' });
        }
      });
      await run('vault:kv/race', value);
      await run('github:acme/app:K', value, {}, { ...creds, githubBaseUrl: down });
      await run('gitlab:group/app:K', value, {}, { ...creds, gitlabHost: down });
      await run('vault:kv/x', value, {}, { ...creds, vaultAddr: down });
      await run('file:no/such/dir/kc', value);
      await run('file:.', value);
    } finally {
      process.stdout.write = orig.out as typeof process.stdout.write;
      process.stderr.write = orig.err as typeof process.stderr.write;
    }

    // The scenarios really failed in many ways, and echoes were really scrubbed.
    assert.ok(errors.length >= 60, `only ${errors.length} errors collected`);
    for (const code of ['auth', 'forbidden', 'not-found', 'invalid', 'conflict', 'server', 'network'] as const) {
      assert.ok(errors.some((e) => e.code === code), `no ${code} error was produced`);
    }
    assert.ok(errors.filter((e) => e.message.includes('[REDACTED]')).length >= 40, 'echoed secrets were scrubbed, not absent');
    const all = [...outputs, ...writes];
    for (const text of all) {
      for (const secret of forbidden) assert.ok(!text.includes(secret), `a secret leaked into: ${text.slice(0, 200)}`);
    }
  });
});
