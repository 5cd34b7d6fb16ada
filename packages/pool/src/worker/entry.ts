/**
 * Entry point of a pool worker thread (built to `dist/worker.js` / `dist/worker.cjs`).
 *
 * @packageDocumentation
 */
import { parentPort, workerData } from 'node:worker_threads';
import { emptyReport } from '../shared/event-wire.js';
import type { WorkerInit } from '../shared/messages.js';
import { WorkerRuntime } from './worker-runtime.js';

if (parentPort !== null) {
  const runtime = new WorkerRuntime(workerData as WorkerInit, parentPort);
  // process.exit() in a task ends the thread only at V8's next interrupt check; until then
  // this thread must start nothing more, or tasks it starts die half run.
  process.once('exit', () => {
    runtime.dying();
  });
  // An empty report says "started" (see PoolExecutor.ready()).
  parentPort.postMessage(emptyReport());
  void runtime.run().then(() => {
    parentPort?.close();
  });
}
