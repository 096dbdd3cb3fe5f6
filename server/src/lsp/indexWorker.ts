// Entry point of dist/indexWorker.js: the language server's workspace indexing, on a worker thread.
import { parentPort, workerData } from 'node:worker_threads';
import { runIndexJob, type IndexJob } from './indexJob';

void runIndexJob((workerData as { job: IndexJob }).job).then((r) => parentPort?.postMessage(r));
