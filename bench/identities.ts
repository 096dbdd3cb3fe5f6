// Bench of the identities model at scale: seeds 500 namespaces, 5,000 labelled ServiceAccounts and 10,000 RoleBindings
// (plus one Role per namespace) into the loopback test cluster, builds the full model as admin the way the tree view
// does (all namespaces, cluster-wide paginated lists), and deletes everything it seeded.
// Run on its own: `node --import tsx bench/identities.ts [KUBECONFIG_ADMIN]`.
import { randomBytes } from 'node:crypto';
import { Agent, request, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { identitiesFor } from '../server/src/core/inventory/load';
import { loadKubeconfig } from '../server/src/core/live/kubeconfig';
import { snapshotUniverse } from '../server/src/cli/reach';
import { benchReach, type ReachBenchResult } from './reach';

export interface IdentitiesBenchResult {
  seedSeconds: number;
  /** Median of the full model builds (fetch + model), in ms. */
  buildMs: number;
  /** List requests of one full build (each page counts). */
  listRequests: number;
  /** Every build: fetch and pure model time. */
  runs: { totalMs: number; fetchMs: number; modelMs: number }[];
  identities: number;
  bindings: number;
  objectsSeeded: number;
  cleanupSeconds: number;
  /** Reach of every identity over one inventory read of the seeded cluster. */
  reach: ReachBenchResult;
}

export interface IdentitiesBenchOptions {
  namespaces?: number;
  serviceAccountsPerNamespace?: number;
  bindingsPerServiceAccount?: number;
  concurrency?: number;
  builds?: number;
  log?: (line: string) => void;
}

const RBAC = 'rbac.authorization.k8s.io';
const BENCH_LABEL = 'pipeline-rbac.io/bench';

/** POST/DELETE with one keep-alive connection pool; loopback apiservers only (this creates thousands of objects). */
class Loopback {
  private readonly base: URL;
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;

  private constructor(base: URL, agent: Agent, headers: Record<string, string>) {
    this.base = base;
    this.agent = agent;
    this.headers = headers;
  }

  static async connect(kc: KubeConfig, concurrency: number): Promise<Loopback> {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig names no cluster');
    const base = new URL(server);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) throw new Error(`refusing to seed ${base.hostname}: the bench runs against a loopback test cluster only`);
    const opts: RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized !== false });
    const headers = { ...(opts.headers as Record<string, string>), 'Content-Type': 'application/json', Accept: 'application/json' };
    return new Loopback(base, agent, headers);
  }

  send(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<number> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.base), { method, agent: this.agent, headers: { ...this.headers, ...(data ? { 'Content-Length': String(data.length) } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 400 && !(method === 'DELETE' && code === 404)) reject(new Error(`${method} ${path}: HTTP ${code} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
          else resolve(code);
        });
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  async getJson(path: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.base), { method: 'GET', agent: this.agent, headers: this.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (err) {
            reject(err);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Seeded {
  run: string;
  namespaces: string[];
  objects: number;
  seedSeconds: number;
  /** Deletes the seeded namespaces (the namespace controller removes their objects), waits until gone; seconds. */
  cleanup(): Promise<number>;
  close(): void;
}

/** Seeds the bench objects into the loopback cluster of `kubeconfigAdmin`; on failure, removes what it made. */
export async function seedIdentities(kubeconfigAdmin: string, options: IdentitiesBenchOptions = {}): Promise<Seeded> {
  const nsCount = options.namespaces ?? 500;
  const saPerNs = options.serviceAccountsPerNamespace ?? 10;
  const rbPerSa = options.bindingsPerServiceAccount ?? 2;
  const concurrency = options.concurrency ?? 16;
  const log = options.log ?? (() => undefined);
  const run = `b${randomBytes(3).toString('hex')}`;
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigAdmin);
  const api = await Loopback.connect(kc, concurrency);
  const namespaces = Array.from({ length: nsCount }, (_, i) => `bench-idt-${run}-${i}`);
  let objects = 0;

  const cleanup = async (): Promise<number> => {
    const started = Date.now();
    await pool(namespaces, concurrency, async (ns) => {
      await api.send('DELETE', `/api/v1/namespaces/${ns}`);
    });
    const deadline = Date.now() + 15 * 60_000;
    for (;;) {
      const list = (await api.getJson(`/api/v1/namespaces?labelSelector=${encodeURIComponent(`${BENCH_LABEL}=${run}`)}&limit=1`)) as { items?: unknown[] };
      if (!list.items?.length) break;
      if (Date.now() > deadline) throw new Error(`bench namespaces (label ${BENCH_LABEL}=${run}) still terminating after 15 min`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    log(`deleted the ${nsCount} bench namespaces in ${seconds} s`);
    return seconds;
  };

  // One namespace per job, its objects in order: `concurrency` requests in flight.
  const seedStart = Date.now();
  try {
    await pool(namespaces, concurrency, async (ns) => {
      await api.send('POST', '/api/v1/namespaces', { metadata: { name: ns, labels: { [BENCH_LABEL]: run } } });
      await api.send('POST', `/apis/${RBAC}/v1/namespaces/${ns}/roles`, {
        metadata: { name: 'deploy' },
        rules: [
          { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
          { apiGroups: [''], resources: ['configmaps', 'services'], verbs: ['get', 'list', 'create', 'update', 'patch'] },
        ],
      });
      objects += 2;
      for (let s = 0; s < saPerNs; s++) {
        const sa = `ci-${s}`;
        await api.send('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
          metadata: {
            name: sa,
            labels: { 'pipeline-rbac.io/identity': 'true', [BENCH_LABEL]: run },
            annotations: { 'pipeline-rbac.io/created-by': 'bench', 'pipeline-rbac.io/token-kind': 'request', 'pipeline-rbac.io/token-expires': new Date(Date.now() + (s + 1) * 86_400_000).toISOString() },
          },
        });
        objects++;
        for (let b = 0; b < rbPerSa; b++) {
          const roleRef = b % 2 === 0 ? { apiGroup: RBAC, kind: 'Role', name: 'deploy' } : { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' };
          await api.send('POST', `/apis/${RBAC}/v1/namespaces/${ns}/rolebindings`, {
            metadata: { name: `${sa}-${b}`, labels: { [BENCH_LABEL]: run } },
            roleRef,
            subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
          });
          objects++;
        }
      }
    });
  } catch (err) {
    await cleanup().catch(() => undefined);
    api.close();
    throw err;
  }
  const seedSeconds = Math.round((Date.now() - seedStart) / 100) / 10;
  log(`seeded ${objects} objects (${nsCount} namespaces, ${nsCount * saPerNs} ServiceAccounts, ${nsCount * saPerNs * rbPerSa} RoleBindings, ${nsCount} Roles) in ${seedSeconds} s`);
  return { run, namespaces, objects, seedSeconds, cleanup, close: () => api.close() };
}

export async function benchIdentities(kubeconfigAdmin: string, options: IdentitiesBenchOptions = {}): Promise<IdentitiesBenchResult> {
  const builds = options.builds ?? 3;
  const log = options.log ?? (() => undefined);
  const seeded = await seedIdentities(kubeconfigAdmin, options);
  const prefix = `bench-idt-${seeded.run}-`;
  try {
    // The full model as the tree builds it (admin: all namespaces, cluster-wide lists).
    const loaded = loadKubeconfig({ kubeconfig: kubeconfigAdmin, trusted: true });
    const runs: IdentitiesBenchResult['runs'] = [];
    let listRequests = 0;
    let identities = 0;
    let bindings = 0;
    for (let i = 0; i < builds; i++) {
      const started = performance.now();
      const model = await identitiesFor(loaded, { namespaces: 'all', whoami: false });
      const totalMs = performance.now() - started;
      runs.push({ totalMs: Math.round(totalMs), fetchMs: model.stats.fetchMs, modelMs: model.stats.buildMs });
      listRequests = model.stats.listRequests;
      const ours = [...model.namespaces.flatMap((n) => n.identities), ...model.cluster].filter((x) => x.namespace?.startsWith(prefix));
      identities = ours.length;
      bindings = ours.reduce((n, x) => n + x.bindings.length, 0);
      log(`build ${i + 1}: ${Math.round(totalMs)} ms (fetch ${model.stats.fetchMs} ms, model ${model.stats.buildMs} ms), ${listRequests} list requests, ${identities} bench identities`);
    }
    // Reach of every identity from ONE inventory read (the same lists the model makes; none per identity).
    const universe = await snapshotUniverse(loaded);
    const reach = benchReach(universe);
    log(`reach: ${reach.identities} identities, ${reach.reaches} reaches: median ${reach.ms} ms (CPU ${reach.cpuMs} ms), runs ${reach.runs.join(', ')} ms`);
    const cleanupSeconds = await seeded.cleanup();
    return { reach, seedSeconds: seeded.seedSeconds, buildMs: Math.round(median(runs.map((r) => r.totalMs))), listRequests, runs, identities, bindings, objectsSeeded: seeded.objects, cleanupSeconds };
  } catch (err) {
    await seeded.cleanup().catch(() => undefined);
    throw err;
  } finally {
    seeded.close();
  }
}

if (require.main === module) {
  const path = process.argv[2] ?? process.env.KUBECONFIG_ADMIN;
  if (!path) {
    process.stderr.write('usage: node --import tsx bench/identities.ts KUBECONFIG_ADMIN (or set KUBECONFIG_ADMIN; test/cluster/up prints it)\n');
    process.exit(2);
  }
  benchIdentities(path, { log: (l) => process.stderr.write(`${l}\n`) }).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
