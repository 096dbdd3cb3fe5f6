/**
 * Runs an index job on a worker thread with bounded memory and time: a hostile workspace can slow its own index down,
 * never the server's thread, and can neither exhaust the server's memory nor keep a thread busy forever.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IndexJob, IndexResult } from './indexJob';
import { SCAN_LIMITS } from '../core/shared/workspaceFiles';

const WORKER_FILE = join(__dirname, 'indexWorker.js');
/** Old-generation heap of the worker (a 2 MB file's parse needs well under this). */
const WORKER_HEAP_MB = 512;
/** Past the scan's own time limit (checked between files), the worker is stopped. */
const GRACE_MS = 30_000;

export function runInWorker(job: IndexJob): Promise<IndexResult> {
  // Fail loudly rather than index on the server's thread: the bundle ships next to dist/server.js.
  if (!existsSync(WORKER_FILE)) return Promise.reject(new Error(`the indexing worker ${WORKER_FILE} is missing`));
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_FILE, { workerData: { job }, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`workspace indexing took longer than ${((job.limits ?? SCAN_LIMITS).maxMillis + GRACE_MS) / 1000} s and was stopped`));
    }, (job.limits ?? SCAN_LIMITS).maxMillis + GRACE_MS);
    timer.unref();
    worker.once('message', (r: IndexResult) => {
      clearTimeout(timer);
      resolve(r);
      void worker.terminate();
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the indexing worker exited with code ${code}`));
    });
  });
}
