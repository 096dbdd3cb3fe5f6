// The bundled API catalog must be what the generator reads from the real apiserver of the test cluster, and
// catalogFromDiscovery over that discovery must answer lookups like the built-in catalog.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import type { CatalogFile } from '../../server/src/core/engine/catalog/catalogFile';
import { clusterKubeconfigs } from './harness';

const ROOT = resolve(import.meta.dirname ?? __dirname, '../..');

test('scripts/gen-api-catalog.ts regenerates schemas/api-catalog.json from the test cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
  try {
    const out = join(dir, 'api-catalog.json');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/gen-api-catalog.ts', '--out', out], {
      cwd: ROOT,
      env: { ...process.env, KUBECONFIG: clusterKubeconfigs().admin },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /wrote .*: Kubernetes v1\.\d+\.\d+, \d+ groups, \d+ resources/);
    const fresh = JSON.parse(readFileSync(out, 'utf8')) as CatalogFile;
    const bundled = JSON.parse(readFileSync(join(ROOT, 'schemas/api-catalog.json'), 'utf8')) as CatalogFile;
    // Patch releases may differ in the version string only.
    assert.equal(fresh.kubernetesVersion.split('.').slice(0, 2).join('.'), bundled.kubernetesVersion.split('.').slice(0, 2).join('.'));
    assert.deepEqual(fresh.groups, bundled.groups, 'groups, resources and verbs are unchanged: regenerate the catalog if this fails');
    assert.deepEqual(fresh.nonResourceURLs, bundled.nonResourceURLs);
    const c = builtinCatalog();
    for (const g of fresh.groups) {
      assert.ok(c.hasGroup(g.name), g.name);
      for (const v of g.versions) for (const r of v.resources) assert.ok(c.findResource(g.name, r.name), `${g.name}/${r.name}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
