// What the extension's activation bundle (dist/client.js, entry client/src/extension.ts) holds: not the identity
// stack, the Kubernetes client or the secret-store SDKs, which load from dist/identity.js on first use.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';

const ROOT = join(import.meta.dirname, '..', '..');
const HEAVY = /node_modules\/(@kubernetes\/client-node|@octokit\/|@gitbeaker\/|libsodium)|server\/src\/(identity|identities|stores|live)\//;

async function inputsOf(entry: string): Promise<string[]> {
  const r = await esbuild.build({
    entryPoints: [join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    metafile: true,
    logLevel: 'silent',
    define: { 'import.meta.url': 'importMetaUrl', PIPELINE_RBAC_VERSION: '"test"' },
    outfile: join(ROOT, 'out', 'bundle-test.js'),
  });
  return Object.keys(r.metafile.inputs);
}

test('the activation bundle holds neither the identity stack nor its SDKs; the identity bundle does', async () => {
  const activation = await inputsOf('client/src/extension.ts');
  assert.ok(activation.some((f) => f.startsWith('client/src/stack/lazyStack')), 'the lazy loader is in the activation bundle');
  assert.deepEqual(activation.filter((f) => HEAVY.test(f)), []);
  const stack = await inputsOf('client/src/stack/identityStack.ts');
  for (const want of ['@kubernetes/client-node', '@octokit/', 'server/src/core/lifecycle/', 'server/src/core/stores/']) {
    assert.ok(stack.some((f) => f.includes(want)), `the identity bundle holds ${want}`);
  }
});

test('every bundle scripts/build.mjs writes goes into the .vsix (.vscodeignore lets it through)', () => {
  const build = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8');
  const outs = [...build.matchAll(/out: '([\w-]+)'/g)].map((m) => m[1]);
  assert.ok(outs.includes('identity') && outs.includes('server-cluster'), `bundles: ${outs.join(', ')}`);
  const allowed = new Set(readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim()));
  assert.deepEqual(outs.filter((o) => !allowed.has(`!dist/${o}.js`)), []);
});
