// Entry point of dist/checkWorker.js: a worker thread of `check --jobs`. Only the engine is bundled here, so a worker
// starts in a fraction of the time the whole CLI takes to load.
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeShare, type WorkerJob } from './analyzeShare';

parentPort?.postMessage(analyzeShare((workerData as { job: WorkerJob }).job));
