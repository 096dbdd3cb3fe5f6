// What the extension's activation bundles hold: dist/client.js (entry client/src/main.ts) forks the language server
// before anything large loads; dist/client-main.js (entry client/src/extension.ts) holds neither the identity
// stack, the Kubernetes client or the secret-store SDKs, which load from dist/identity.js on first use.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';

const ROOT = join(import.meta.dirname, '..', '..');
const HEAVY = /node_modules\/(@kubernetes\/client-node|@octokit\/|@gitbeaker\/|libsodium)|server\/src\/core\/(lifecycle|inventory|stores|live)\//;

/** The bundle of `entry` as scripts/build.mjs makes it, with esbuild's metafile. */
async function bundleOf(entry: string): Promise<esbuild.Metafile> {
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
  return r.metafile;
}

async function inputsOf(entry: string): Promise<string[]> {
  return Object.keys((await bundleOf(entry)).inputs);
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

/** The files that put code into the bundle of `entry` (metafile inputs also list files tree-shaking dropped). */
async function contentsOf(entry: string): Promise<string[]> {
  const output = Object.values((await bundleOf(entry)).outputs)[0]!;
  return Object.entries(output.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => f);
}

test('"Generate Least-Privilege Role" and the engine code only it needs load from their own bundle, not on activation', async () => {
  const lazy = ['client/src/commands/leastPrivilegeCommand.ts', 'server/src/core/engine/catalog/apiCatalog.ts', 'server/src/core/engine/leastPrivilege/needed.ts', 'schemas/api-catalog.json'];
  const activation = await contentsOf('client/src/extension.ts');
  assert.deepEqual(activation.filter((f) => lazy.includes(f)), []);
  const command = await contentsOf('client/src/commands/leastPrivilegeCommand.ts');
  assert.deepEqual(lazy.filter((f) => !command.includes(f)), [], 'the command bundle holds them');
});

test('the entry bundle forks the server before it loads the language client or the rest of the extension', async () => {
  const entry = await contentsOf('client/src/main.ts');
  assert.ok(entry.includes('client/src/serverPrestart.ts'), entry.join(', '));
  assert.deepEqual(entry.filter((f) => /vscode-languageclient|client\/src\/(extension|languageClient)\.ts/.test(f)), []);
  const main = readFileSync(join(ROOT, 'client', 'src', 'main.ts'), 'utf8');
  assert.ok(main.indexOf('server.start()') < main.indexOf('export function activate'), 'the fork runs at load, not in activate()');
});

test('every bundle scripts/build.mjs writes goes into the .vsix and the npm package (package.json `files`, the one list both use)', () => {
  const build = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8');
  const outs = [...build.matchAll(/out: '([\w-]+)'/g)].map((m) => m[1]);
  assert.ok(outs.includes('identity') && outs.includes('server-cluster') && outs.includes('client-main'), `bundles: ${outs.join(', ')}`);
  const files = new Set((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] }).files);
  assert.deepEqual(outs.filter((o) => !files.has(`dist/${o}.js`)), []);
  assert.deepEqual([...files].filter((f) => f.startsWith('dist/') && !outs.includes(f.slice(5, -3))), [], 'no stale bundle listed');
  // vsce refuses to package when both a .vscodeignore and `files` exist.
  assert.equal(existsSync(join(ROOT, '.vscodeignore')), false);
});
