import { resolveWorkerOptions } from './options.js';
import type { WorkerOptions } from './options.js';
import { WorkerRuntime } from './worker-runtime.js';

/** A running worker: stop it to let its jobs finish and close its connections. */
export interface SpindleWorker {
  /** Name in BullMQ's worker list and in errors. */
  readonly name: string;
  /** The `thread` its lifecycle events carry (its process id): one row per process in a timeline. */
  readonly thread: number;
  /** Jobs held now (running or waiting on children), and jobs finished since it started. */
  readonly stats: { readonly held: number; readonly completed: number; readonly failed: number };
  /** The last error a connection reported, for diagnosis (Redis unreachable, say). */
  readonly error: unknown;
  /**
   * Stops taking jobs, lets the jobs it holds finish and report (for at most `lockDuration`:
   * what is still held then runs again elsewhere), then closes. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Runs task references from a queue in this process until `stop()`: the worker side of
 * `BullmqExecutor`. Start as many as you like, on as many hosts as you like, with the
 * same `connection` and `queueName` as the executor; each loads task modules by their
 * URL, so the code must be at the same path on every host (one image, one checkout).
 *
 * @example
 * ```ts
 * import { runWorker } from '@spindle/bullmq';
 * const worker = await runWorker({ connection: process.env.REDIS_URL, concurrency: 1 });
 * process.on('SIGTERM', () => void worker.stop());
 * ```
 * @throws InvalidOptionsError naming the option at fault
 */
export async function runWorker(options: WorkerOptions): Promise<SpindleWorker> {
  const runtime = new WorkerRuntime(resolveWorkerOptions(options), { shared: true, pinned: false });
  await runtime.start();
  return {
    name: runtime.name,
    thread: runtime.thread,
    get stats() {
      return runtime.stats;
    },
    get error() {
      return runtime.error;
    },
    stop: () => runtime.stop(),
  };
}
