/**
 * Entry point of a pool worker thread (built to `dist/worker.js` / `dist/worker.cjs`).
 *
 * @packageDocumentation
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInit } from './messages.js';
import { WorkerRuntime } from './worker-runtime.js';

if (parentPort !== null) {
  const runtime = new WorkerRuntime(workerData as WorkerInit, parentPort);
  // An empty batch says "started" (see PoolExecutor.ready()).
  parentPort.postMessage([]);
  void runtime.run().then(() => {
    parentPort?.close();
  });
}
