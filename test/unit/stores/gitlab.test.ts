import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GitLabVariableStore, type GitLabStoreOptions } from '../../../server/src/core/stores/gitlab';
import { StoreError } from '../../../server/src/core/stores/secretStore';
import type { GitLabTarget } from '../../../server/src/core/stores/target';
import { GitLabFake } from '../../fakes/gitlab';
import { closedPortUrl } from '../../fakes/httpFake';
import { sampleKubeconfig } from '../../fakes/kubeconfig';

const TOKEN = 'glpat-fakeTokenForTests0123456789';

describe('GitLab CI/CD variable store', () => {
  let fake: GitLabFake;
  before(async () => {
    fake = await GitLabFake.start({
      token: TOKEN,
      projects: { 'group/app': { id: 42 }, 'group/sub/other': { id: 7 }, 'group/readonly': { id: 9, role: 'developer' } },
    });
  });
  after(() => fake.close());

  const store = (t: Partial<GitLabTarget> = {}, o: Partial<GitLabStoreOptions> = {}) =>
    new GitLabVariableStore({ kind: 'gitlab', project: 'group/app', key: 'KUBECONFIG', ...t }, { token: TOKEN, host: fake.url, ...o });

  it('creates a protected file variable, then updates it in place', async () => {
    const kc = sampleKubeconfig();
    const before = fake.requests.length;
    const res = await store().put(kc.text);
    assert.equal(res.action, 'created');
    assert.match(res.location, /protected file variable KUBECONFIG of project group\/app \(environment scope "\*"\)/);
    assert.deepEqual(fake.variable('group/app', 'KUBECONFIG'), {
      key: 'KUBECONFIG',
      value: kc.text,
      variable_type: 'file',
      protected: true,
      masked: false,
      hidden: false,
      raw: true,
      environment_scope: '*',
      description: null,
    });
    const sent = fake.requests.slice(before);
    assert.deepEqual(
      sent.map((r) => `${r.method} ${r.rawPath} ${r.query.get('filter[environment_scope]')}`),
      ['GET /api/v4/projects/group%2Fapp/variables/KUBECONFIG *', 'POST /api/v4/projects/group%2Fapp/variables null'],
    );
    assert.equal(sent[0]!.headers['private-token'], TOKEN);
    const kc2 = sampleKubeconfig();
    assert.equal((await store().put(kc2.text)).action, 'updated');
    assert.equal(fake.variable('group/app', 'KUBECONFIG')!.value, kc2.text);
    assert.equal(await store().exists(), true);
  });

  it('stores a masked-and-hidden base64 env_var in one environment scope, leaving other scopes alone', async () => {
    fake.seed('group/app', { key: 'KUBE_B64', value: 'c3RhZ2luZy12YWx1ZQ==', environment_scope: 'staging' });
    const kc = sampleKubeconfig();
    const s = store({ key: 'KUBE_B64', environmentScope: 'production' }, { mode: 'masked-base64' });
    const res = await s.put(kc.text);
    assert.equal(res.action, 'created');
    const v = fake.variable('group/app', 'KUBE_B64', 'production')!;
    assert.equal(Buffer.from(v.value, 'base64').toString('utf8'), kc.text);
    assert.deepEqual([v.variable_type, v.masked, v.hidden, v.protected], ['env_var', true, true, true]);
    assert.match(res.warnings.join('\n'), /base64 -d.*not the decoded copy/);
    // Update goes to the production variable only (PUT carries the filter).
    const kc2 = sampleKubeconfig();
    assert.equal((await s.put(kc2.text)).action, 'updated');
    assert.equal(Buffer.from(fake.variable('group/app', 'KUBE_B64', 'production')!.value, 'base64').toString(), kc2.text);
    assert.equal(fake.variable('group/app', 'KUBE_B64', 'staging')!.value, 'c3RhZ2luZy12YWx1ZQ==');
    await s.delete();
    assert.equal(fake.variable('group/app', 'KUBE_B64', 'production'), undefined);
    assert.ok(fake.variable('group/app', 'KUBE_B64', 'staging'));
  });

  it('warns that an existing unhidden variable stays unhidden on update', async () => {
    fake.seed('group/app', { key: 'OLD_B64', value: 'b2xkLXZhbHVlLTEyMw==' });
    const res = await store({ key: 'OLD_B64' }, { mode: 'masked-base64' }).put('new-value-123');
    assert.equal(res.action, 'updated');
    assert.equal(fake.variable('group/app', 'OLD_B64')!.masked, true);
    assert.match(res.warnings.join('\n'), /not hidden: GitLab sets "hidden" only at creation/);
  });

  it('masks a single-line token as is, with a numeric project id', async () => {
    await store({ project: '7', key: 'SA_TOKEN' }, { mode: 'masked' }).put('eyJhbGciOi.payload.sig');
    const v = fake.variable('group/sub/other', 'SA_TOKEN')!;
    assert.deepEqual([v.value, v.masked, v.raw], ['eyJhbGciOi.payload.sig', true, true]);
  });

  it('rejects keys, scopes and unmaskable values before any request, explaining why', async () => {
    const before = fake.requests.length;
    const kc = sampleKubeconfig().text;
    const cases: Array<[Partial<GitLabTarget>, Partial<GitLabStoreOptions>, string, RegExp]> = [
      [{ key: 'KUBE-CONFIG' }, {}, kc, /1 to 255 letters, digits or "_"/],
      [{ key: 'K'.repeat(256) }, {}, kc, /1 to 255 letters/],
      [{ key: 'KUBECONFIG' }, { mode: 'masked-base64' }, kc, /kubectl reads KUBECONFIG as a file path/],
      [{ key: 'KUBE' }, { mode: 'masked' }, kc, /contains spaces or line breaks\. A kubeconfig is multi-line YAML .* can never be masked as is/],
      [{ key: 'KUBE' }, { mode: 'masked' }, 'short', /shorter than 8 characters/],
      [{ environmentScope: 'prod:eu' }, {}, kc, /environment scope "prod:eu"/],
      [{ project: '/group' }, {}, kc, /not a GitLab project id/],
      [{}, { host: 'http://gitlab.example.com' }, kc, /plain http/],
      [{}, {}, '', /empty/],
    ];
    for (const [t, o, value, re] of cases) {
      assert.throws(() => store(t, o).validate(value), (e: StoreError) => e instanceof StoreError && e.code === 'invalid' && re.test(e.message));
      await assert.rejects(store(t, o).put(value), (e: StoreError) => e.code === 'invalid' && re.test(e.message));
    }
    await assert.rejects(store({}, { token: '' }).put(kc), { code: 'auth' });
    assert.equal(fake.requests.length, before, 'no request reached the server');
  });

  it('turns 401, 403, 404, 400/422 and 5xx into clear errors', async () => {
    const kc = sampleKubeconfig().text;
    await assert.rejects(store({}, { token: 'glpat-wrong-token-value' }).put(kc), (e: StoreError) => {
      assert.equal(e.code, 'auth');
      assert.match(e.message, /^GitLab at 127\.0\.0\.1:\d+ rejected the token \(401 Unauthorized: 401 Unauthorized\)/);
      assert.match(e.message, /Maintainer role and a token with the "api" scope/);
      return true;
    });
    await assert.rejects(store({ project: 'group/readonly' }).put(kc), (e: StoreError) => {
      assert.equal(e.code, 'forbidden');
      assert.match(e.message, /refused to read variable KUBECONFIG of project group\/readonly \(403 Forbidden: 403 Forbidden\)\. Project CI\/CD variables need the Maintainer role/);
      return true;
    });
    await assert.rejects(store({ project: 'group/missing' }).put(kc), (e: StoreError) => {
      assert.equal(e.code, 'not-found');
      assert.equal(e.message, 'Project group/missing was not found or the token cannot see it (404: 404 Project Not Found).');
      return true;
    });
    fake.server.failWith({ status: 400, body: { message: { value: ['is invalid'] } }, method: 'POST' });
    await assert.rejects(store({ key: 'NEW_ONE' }).put(kc), (e: StoreError) => {
      assert.equal(e.code, 'invalid');
      assert.match(e.message, /rejected the request to create variable NEW_ONE of project group\/app \(400: \{"value":\["is invalid"\]\}\)/);
      return true;
    });
    fake.server.failWith({ status: 422, body: { message: 'Unprocessable' }, method: 'POST' });
    await assert.rejects(store({ key: 'NEW_ONE' }).put(kc), { code: 'invalid' });
    fake.server.failWith({ status: 500, body: { message: '500 Internal Server Error' }, method: 'GET' });
    await assert.rejects(store().put(kc), (e: StoreError) => e.code === 'server' && /server error while trying to read variable KUBECONFIG .*\(500: 500 Internal Server Error\)/.test(e.message));
    assert.equal(fake.variable('group/app', 'NEW_ONE'), undefined);
  });

  it('reports an unreachable host as a network error', async () => {
    const s = new GitLabVariableStore({ kind: 'gitlab', project: 'group/app', key: 'K' }, { token: TOKEN, host: await closedPortUrl() });
    await assert.rejects(s.put('value-123'), (e: StoreError) => e.code === 'network' && /Could not reach GitLab at .*ECONNREFUSED/.test(e.message));
  });

  it('delete succeeds when the variable is gone, fails when the project is invisible', async () => {
    await store({ key: 'TO_DELETE' }).put('value-123');
    await store({ key: 'TO_DELETE' }).delete();
    assert.equal(fake.variable('group/app', 'TO_DELETE'), undefined);
    await store({ key: 'TO_DELETE' }).delete();
    assert.equal(await store({ key: 'TO_DELETE' }).exists(), false);
    await assert.rejects(store({ project: 'group/missing' }).delete(), { code: 'not-found' });
  });
});
