// Runs the test suites with node's test runner (TypeScript through tsx).
// Suites that need Kubernetes get one real test cluster for the whole run: started here
// (or reused when one is already up) and stopped at the end if this run started it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ALL_SUITES = ['unit', 'protocol', 'cli', 'cluster', 'e2e'];
const NEEDS_CLUSTER = new Set(['cluster', 'e2e']);
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ALL_SUITES;

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = suites.flatMap((s) => testFiles(join('test', s)));
const env = { ...process.env };
let stopCluster = false;

// Charts and overlays are rendered by the real helm and kustomize in every suite: build them once (cached).
if (files.length) {
  const { ensureTools } = await import('./tools/build-tools.mjs');
  await ensureTools();
}

if (suites.some((s) => NEEDS_CLUSTER.has(s)) && files.some((f) => NEEDS_CLUSTER.has(f.split(/[\\/]/)[1]))) {
  const { startCluster } = await import('../test/cluster/lifecycle.mjs');
  const cluster = startCluster();
  Object.assign(env, cluster.env);
  stopCluster = cluster.startedHere && !process.env.PIPELINE_RBAC_KEEP_CLUSTER;
}

let status = 1;
try {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
    { stdio: 'inherit', env },
  );
  status = result.status ?? 1;
} finally {
  if (stopCluster) {
    const { stopClusterNow } = await import('../test/cluster/lifecycle.mjs');
    stopClusterNow();
  }
}
process.exit(status);
