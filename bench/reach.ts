// Bench of reach: the full result (outbound with gains, inbound) of every identity of a universe, one graph for all
// (edges found once per identity). Fed by bench/identities.ts with the one inventory read of its seeded cluster
// (500 namespaces, 5,000 ServiceAccounts, 10,000 RoleBindings); on its own (`node --import tsx bench/reach.ts`) it
// builds the same shape in memory.
import { ReachGraph, reachResult, type Universe } from '../server/src/core/reach';

export interface ReachBenchResult {
  identities: number;
  /** Median over the runs of: graph built, every identity's full result computed. */
  ms: number;
  runs: number[];
  /** CPU time of the same runs (user + system), median: on a loaded machine the wall time mostly measures the queue. */
  cpuMs: number;
  reaches: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function benchReach(universe: Universe, runs = 3): ReachBenchResult {
  const times: number[] = [];
  const cpu: number[] = [];
  let identities = 0;
  let reaches = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const graph = new ReachGraph(universe);
    const all = graph.universeIdentities();
    reaches = 0;
    for (const id of all) reaches += reachResult(graph, id).reaches.length;
    times.push(Math.round(performance.now() - started));
    const used = process.cpuUsage(cpuStart);
    cpu.push(Math.round((used.user + used.system) / 1000));
    identities = all.length;
  }
  return { identities, ms: median(times), runs: times, cpuMs: median(cpu), reaches };
}

/** The bench inventory's shape (bench/identities.ts seeds it): per namespace a Role `deploy`, 10 ServiceAccounts, 2 RoleBindings each. */
export function benchShapeUniverse(namespaces = 500, saPerNs = 10): Universe {
  const u: Universe = { namespaces: [], serviceAccounts: [], tokenSecrets: [], roles: [{ kind: 'ClusterRole', name: 'view', rules: [{ apiGroups: ['', 'apps', 'batch'], resources: ['pods', 'configmaps', 'services', 'deployments', 'jobs'], verbs: ['get', 'list', 'watch'] }] }], bindings: [], notVisible: [] };
  for (let n = 0; n < namespaces; n++) {
    const ns = `bench-idt-${n}`;
    u.namespaces.push(ns);
    u.roles.push({ kind: 'Role', namespace: ns, name: 'deploy', rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] }, { apiGroups: [''], resources: ['configmaps', 'services'], verbs: ['get', 'list', 'create', 'update', 'patch'] }] });
    for (let s = 0; s < saPerNs; s++) {
      const sa = `ci-${s}`;
      u.serviceAccounts.push({ namespace: ns, name: sa });
      u.bindings.push({ kind: 'RoleBinding', namespace: ns, name: `${sa}-0`, roleRef: { kind: 'Role', name: 'deploy' }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }] });
      u.bindings.push({ kind: 'RoleBinding', namespace: ns, name: `${sa}-1`, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }] });
    }
  }
  return u;
}

if (require.main === module) {
  const r = benchReach(benchShapeUniverse());
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
