/**
 * Regenerates schemas/api-catalog.json from a real apiserver's discovery.
 *   KUBECONFIG=... node --import tsx scripts/gen-api-catalog.ts [--out schemas/api-catalog.json]
 * Reads /version, / (paths), /api, /api/v1, /apis and /apis/<group>/<version> for every served version.
 * Never prints credentials: errors name only the path and HTTP status.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { resolve } from 'node:path';
import { catalogFileFromDiscovery, type DiscoveryData, type DiscoveryGroup, type DiscoveryResourceList } from '../server/src/core/engine/catalog/catalogFile';

async function main(): Promise<void> {
  const outArg = process.argv.indexOf('--out');
  const out = resolve(outArg > 0 ? process.argv[outArg + 1]! : 'schemas/api-catalog.json');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster in the kubeconfig');
  const base = new URL(cluster.server);

  const get = async <T>(path: string): Promise<T> => {
    const opts: RequestOptions = { method: 'GET', hostname: base.hostname, port: base.port || 443, path, headers: { Accept: 'application/json' } };
    await kc.applyToHTTPSOptions(opts);
    return new Promise<T>((ok, fail) => {
      const req = request(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return fail(new Error(`GET ${path}: HTTP ${res.statusCode}`));
          try {
            ok(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
          } catch {
            fail(new Error(`GET ${path}: not JSON`));
          }
        });
      });
      req.on('error', (e) => fail(new Error(`GET ${path}: ${e.message}`)));
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.end();
    });
  };

  const version = await get<{ gitVersion: string }>('/version');
  const root = await get<{ paths: string[] }>('/');
  const core = await get<{ versions: string[] }>('/api');
  const apis = await get<{ groups: DiscoveryGroup[] }>('/apis');
  const resourceLists: DiscoveryResourceList[] = [];
  for (const v of core.versions) resourceLists.push(await get<DiscoveryResourceList>(`/api/${v}`));
  for (const g of apis.groups) {
    for (const v of g.versions) resourceLists.push(await get<DiscoveryResourceList>(`/apis/${v.groupVersion}`));
  }
  const data: DiscoveryData = {
    groups: [{ name: '', versions: core.versions.map((v) => ({ groupVersion: v, version: v })), preferredVersion: { groupVersion: 'v1', version: 'v1' } }, ...apis.groups],
    resourceLists,
    kubernetesVersion: version.gitVersion,
    paths: root.paths,
  };
  const file = catalogFileFromDiscovery(data);
  // One resource per line keeps the file short and its diffs readable.
  const text = JSON.stringify(file, null, 1).replace(/\[\s*("[^"\]]*"(?:,\s*"[^"\]]*")*)\s*\]/g, (_m, xs: string) => `[${xs.replace(/,\s+/g, ', ')}]`);
  writeFileSync(out, `${text}\n`);
  const resources = file.groups.reduce((n, g) => n + new Set(g.versions.flatMap((v) => v.resources.map((r) => r.name))).size, 0);
  console.log(`wrote ${out}: Kubernetes ${file.kubernetesVersion}, ${file.groups.length} groups, ${resources} resources, ${file.nonResourceURLs.length} non-resource URLs`);
}

main().catch((e: unknown) => {
  console.error(`gen-api-catalog: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
