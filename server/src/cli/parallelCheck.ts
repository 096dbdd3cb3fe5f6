/**
 * `check` over many files on all cores: worker threads (the CLI bundle itself, started in worker mode) analyse
 * shares of the files and send back the findings; the main thread keeps the texts for positions and output.
 * Only plain data crosses threads: held rules, severities, namespace (the built-in catalog is loaded per worker).
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { analyzeText, type AnalysisResult } from '../engine/analyze';
import { indexRoles, roleKey } from '../engine/roleIndex';
import { builtinCatalog } from '../engine/catalog/apiCatalog';
import type { NeededPermissions } from '../engine/leastPrivilege/needed';
import { unusedPermissionFindings } from '../engine/leastPrivilege/unused';
import type { Finding, PolicyRule, RbacObject } from '../engine/model';
import type { HeldPermissions } from '../engine/rbac/heldPermissions';
import type { SeverityOverrides } from '../engine/severity';

export interface WorkerJob {
  texts: string[];
  held?: HeldPermissions | undefined;
  severities: SeverityOverrides;
  defaultNamespace: string;
  /** What the manifests need (--manifests), for unused-permission. */
  needed?: NeededPermissions | undefined;
}

/** What the CLI keeps of one file's analysis: plain data, so it crosses threads. */
export interface FileResult {
  findings: Finding[];
  objects: { kind: string; name: string; namespace?: string }[];
  /** The file's Roles and ClusterRoles, for bindings in other files. */
  roles: [string, PolicyRule[]][];
  /** Roles its bindings reference that the file does not define (role keys). */
  rolesElsewhere: string[];
}

export function fileResult(r: AnalysisResult, defaultNamespace: string): FileResult {
  const own = indexRoles(r.objects, defaultNamespace);
  const rolesElsewhere = new Set<string>();
  for (const o of r.objects) {
    const ref = o.roleRef;
    if ((o.kind !== 'RoleBinding' && o.kind !== 'ClusterRoleBinding') || !ref || (ref.kind !== 'Role' && ref.kind !== 'ClusterRole')) continue;
    const key = roleKey(ref.kind, ref.name, o.kind === 'RoleBinding' ? (o.namespace ?? defaultNamespace) : '');
    if (!own.has(key)) rolesElsewhere.add(key);
  }
  return {
    findings: r.findings,
    objects: r.objects.map((o) => ({ kind: o.kind, name: o.name, ...(o.namespace !== undefined ? { namespace: o.namespace } : {}) })),
    roles: [...own],
    rolesElsewhere: [...rolesElsewhere],
  };
}

const WORKER_FLAG = 'pipeline-rbac-check-worker';

/** Below this much text, starting workers costs more than it saves. */
export const PARALLEL_MIN_BYTES = 512 * 1024;

export function workerCount(files: number): number {
  return Math.max(1, Math.min(files, availableParallelism(), 8));
}

/** Analyses the texts on `workers` threads; results come back in the texts' order. */
export async function analyzeInWorkers(job: WorkerJob, workers: number): Promise<FileResult[]> {
  const shares: number[][] = Array.from({ length: workers }, () => []);
  // Round-robin by size keeps the shares even.
  job.texts
    .map((t, i) => [t.length, i] as const)
    .sort((a, b) => b[0] - a[0])
    .forEach(([, i], k) => shares[k % workers]!.push(i));
  const results: FileResult[] = new Array(job.texts.length);
  await Promise.all(
    shares.map(
      (share) =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(__filename, {
            workerData: { [WORKER_FLAG]: true, job: { ...job, texts: share.map((i) => job.texts[i]!) } },
          });
          w.once('message', (out: FileResult[]) => {
            out.forEach((r, k) => (results[share[k]!] = r));
            resolve();
          });
          w.once('error', reject);
          w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`check worker exited with ${code}`))));
        }),
    ),
  );
  return results;
}

/** Analyses one share (also used in-process when there is too little work for threads). */
export function analyzeShare(job: WorkerJob): FileResult[] {
  const catalog = builtinCatalog();
  return job.texts.map((text) => {
    const needed = job.needed;
    const r = analyzeText(text, {
      catalog,
      held: job.held,
      severities: job.severities,
      defaultNamespace: job.defaultNamespace,
      ...(needed ? { extraFindings: (objects: RbacObject[]) => objects.flatMap((o) => unusedPermissionFindings(o, needed)) } : {}),
    });
    return fileResult(r, job.defaultNamespace);
  });
}

/** True (and the work done) when this thread was started as a check worker. */
export function runAsWorkerIfAsked(): boolean {
  if (isMainThread || !(workerData as Record<string, unknown> | null)?.[WORKER_FLAG]) return false;
  const job = (workerData as { job: WorkerJob }).job;
  parentPort!.postMessage(analyzeShare(job));
  return true;
}
