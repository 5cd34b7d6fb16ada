import { resolveWorkerOptions } from './worker-options.js';
import type { WorkerOptions } from './worker-options.js';
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
   * Stops taking jobs, hands the jobs whose task has not started back to the queue at once
   * (a task module still loading, say), lets the others finish and report (for at most
   * `lockDuration`: what is still held then runs again elsewhere), then closes. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Runs task references from a queue in this process until `stop()`: the worker side of
 * `BullmqExecutor`. Start as many as you like, on as many hosts as you like, with the
 * same `connection` and `queueName` as the executor; each loads task modules by their
 * URL, so the code must be at the same path on every host (one image, one checkout). Task
 * modules must have no top-level side effects (no executor made, no task spawned at import).
 *
 * On SIGTERM, stop the worker and then exit: anything a task module left open (a connection,
 * an executor of its own) would otherwise keep the process alive.
 *
 * @example
 * ```ts
 * import { runWorker } from '@spindle/bullmq';
 * const worker = await runWorker({ connection: process.env.REDIS_URL, concurrency: 1 });
 * process.once('SIGTERM', () => void worker.stop().finally(() => process.exit(0)));
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
