// The layering rule of eslint.config.mjs (scripts/eslint/layers.mjs) on code that breaks it and code that keeps it,
// linted as if it were a file at the given path of this repository.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'layers/imports').map((m) => m.message);
}

test('the engine imports only itself, schemas/, yaml and ajv', async () => {
  assert.deepEqual(await layerErrors('server/src/core/engine/rbac/x.ts', "import { a } from '../model';\nimport b from '../../../../../schemas/api-catalog.json';\nimport { parse } from 'yaml';\nimport Ajv from 'ajv';\nexport { a, b, parse, Ajv };\n"), []);
  const [up] = await layerErrors('server/src/core/engine/rbac/x.ts', "import type { ClusterApi } from '../../live/clusterApi';\nexport type { ClusterApi };\n");
  assert.match(up ?? '', /server\/src\/core\/engine may not import server\/src\/core\/live/);
  const [io] = await layerErrors('server/src/core/engine/x.ts', "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n");
  assert.match(io ?? '', /may not use the package node:/);
});

test('live does not import the language server; the language server does not import the identity stack', async () => {
  assert.match((await layerErrors('server/src/core/live/x.ts', "import type { A } from '../../lsp/validator';\nexport type { A };\n"))[0] ?? '', /server\/src\/core\/live may not import server\/src\/lsp/);
  assert.match((await layerErrors('server/src/lsp/x.ts', "import { createIdentity } from '../core/lifecycle';\nexport { createIdentity };\n"))[0] ?? '', /may not import server\/src\/core\/lifecycle/);
  assert.deepEqual(await layerErrors('server/src/lsp/x.ts', "import { ClusterApi } from '../core/live/clusterApi';\nexport { ClusterApi };\n"), []);
});

test('the client reaches a core subsystem only through its facade', async () => {
  assert.deepEqual(await layerErrors('client/src/lifecycle/x.ts', "import { createIdentity } from '../../../server/src/core/lifecycle';\nexport { createIdentity };\n"), []);
  const [deep] = await layerErrors('client/src/lifecycle/x.ts', "import { createIdentity } from '../../../server/src/core/lifecycle/create';\nexport { createIdentity };\n");
  assert.match(deep ?? '', /client\/src reaches server\/src\/core\/lifecycle only through its facade server\/src\/core\/lifecycle\/index\.ts/);
  const [lsp] = await layerErrors('client/src/x.ts', "import { startServer } from '../../server/src/lsp/startServer';\nexport { startServer };\n");
  assert.match(lsp ?? '', /client\/src may not import server\/src\/lsp/);
  const [kube] = await layerErrors('client/src/lifecycle/x.ts', "import type { V1RoleBinding } from '@kubernetes/client-node';\nexport type { V1RoleBinding };\n");
  assert.match(kube ?? '', /may not use the package @kubernetes\/client-node \(cluster and store clients are reached through server\/src\/core\)/);
});

test('no server layer uses the editor API, and a folder outside every layer is reported', async () => {
  assert.match((await layerErrors('server/src/core/lifecycle/x.ts', "import { window } from 'vscode';\nexport { window };\n"))[0] ?? '', /may not use the package vscode/);
  assert.match((await layerErrors('server/src/newthing/x.ts', 'export const a = 1;\n'))[0] ?? '', /is in no layer/);
});
