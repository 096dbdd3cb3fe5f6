// The npm package as a user gets it: `npm pack` (its prepack script builds), installed from the tarball alone into an
// empty prefix with an empty cache and no network, then run from outside the repository with only Node on PATH; and
// `npx pipeline-rbac@VERSION` from a registry (a loopback stand-in serving the same tarball).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeNpmRegistry } from '../fakes/npmRegistry';
import { FIX, nodeOnlyEnv, pack, ROOT, run, tempDir, VERSION } from './helpers/packaged';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };

describe('the npm package (npm pack, npm install -g, npx)', () => {
  const tmp = tempDir('prb-package-');
  const work = join(tmp, 'work');
  let tarball = '';
  let files: string[] = [];

  before(async () => {
    ({ tarball, files } = await pack(tmp, true));
    mkdirSync(work);
    for (const f of ['risky-ci-role.yaml', 'least-privilege-role.yaml', 'developer-held.yaml']) copyFileSync(join(FIX, f), join(work, f));
  });

  it('ships exactly the runtime files: the bundles, schemas, media, README, LICENSE, CHANGELOG', () => {
    const bundles = pkg.files.filter((f) => f.startsWith('dist/'));
    assert.deepEqual(files.filter((f) => f.startsWith('dist/')), [...bundles].sort(), 'every bundle, nothing else from dist/');
    const other = files.filter((f) => !f.startsWith('dist/'));
    assert.deepEqual(other.filter((f) => !/^(schemas\/[\w.-]+\.json|media\/.+\.(png|svg|md)|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/.test(f)), []);
    for (const f of ['README.md', 'LICENSE', 'CHANGELOG.md', 'schemas/role.schema.json', 'media/icon.png']) assert.ok(files.includes(f), f);
  });

  it('installs from the tarball alone (offline, empty cache) into an empty prefix and runs with only Node', async () => {
    const prefix = join(tmp, 'prefix');
    const env = nodeOnlyEnv(join(tmp, 'home'), { npm_config_offline: 'true' });
    const install = await run('npm', ['install', '-g', '--prefix', prefix, tarball], { cwd: work, env, timeoutMs: 120_000 });
    assert.equal(install.code, 0, install.stdout + install.stderr);
    const bin = join(prefix, 'bin', 'pipeline-rbac');
    const cli = (...args: string[]) => run(bin, args, { cwd: work, env: nodeOnlyEnv(join(tmp, 'home'), { KUBECONFIG: join(tmp, 'none') }) });

    const version = await cli('--version');
    assert.equal(version.stdout.trim(), VERSION);
    const denied = await cli('check', 'risky-ci-role.yaml', '--held-rules', 'developer-held.yaml');
    assert.equal(denied.code, 1, denied.stdout + denied.stderr);
    assert.match(denied.stdout, /error .*not-held/);
    const clean = await cli('check', 'least-privilege-role.yaml', '--held-rules', 'developer-held.yaml');
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    // Worker threads load dist/checkWorker.js from the installed package.
    const threaded = await cli('check', 'risky-ci-role.yaml', 'least-privilege-role.yaml', '--jobs', '2', '--format', 'json');
    const single = await cli('check', 'risky-ci-role.yaml', 'least-privilege-role.yaml', '--jobs', '1', '--format', 'json');
    assert.equal(threaded.stdout, single.stdout);
    assert.equal(threaded.code, single.code);
    // The cluster bundle (the Kubernetes client inline) loads for identity and identities.
    const identity = await cli('identity', '--help');
    assert.equal(identity.code, 0, identity.stderr);
    assert.match(identity.stdout, /Usage: pipeline-rbac identity/);
    const identities = await cli('identities', '--help');
    assert.equal(identities.code, 0, identities.stderr);
    const help = await cli('--help');
    // `reach` is another bundle's command: checked here once the CLI has it.
    if (/pipeline-rbac reach/.test(help.stdout)) assert.equal((await cli('reach', '--help')).code, 0);
  });

  describe('npx from a registry', () => {
    const registry = new FakeNpmRegistry();
    before(async () => {
      await registry.start();
      registry.publish(tarball);
    });
    after(() => registry.stop());

    it(`npx --yes pipeline-rbac@${VERSION} check ... fetches the package and nothing else, exit codes 1 and 0`, async () => {
      const env = nodeOnlyEnv(join(tmp, 'npx-home'), { npm_config_registry: registry.url, KUBECONFIG: join(tmp, 'none') });
      const denied = await run('npx', ['--yes', `pipeline-rbac@${VERSION}`, 'check', 'risky-ci-role.yaml', '--held-rules', 'developer-held.yaml'], { cwd: work, env });
      assert.equal(denied.code, 1, denied.stdout + denied.stderr);
      assert.match(denied.stdout, /not-held/);
      const clean = await run('npx', ['--yes', `pipeline-rbac@${VERSION}`, 'check', 'least-privilege-role.yaml', '--held-rules', 'developer-held.yaml'], { cwd: work, env });
      assert.equal(clean.code, 0, clean.stdout + clean.stderr);
      assert.deepEqual([...new Set(registry.requests)], ['GET /pipeline-rbac', `GET /pipeline-rbac/-/pipeline-rbac-${VERSION}.tgz`]);
    });
  });
});
