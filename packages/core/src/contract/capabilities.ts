/**
 * How an executor orders the steps of ready tasks.
 * - `round-robin`: tasks start in spawn order and each ready task takes one step per turn;
 *   with K ready tasks none waits for more than K-1 steps of others.
 * - `fifo`: tasks start in spawn order; no per-step guarantee.
 * - `none`: no ordering promise (a parallel pool, for example).
 */
export type OrderingGuarantee = 'round-robin' | 'fifo' | 'none';

/** What an executor declares it can do; the conformance suite and users rely on it. */
export interface ExecutorCapabilities {
  /** Short name of the executor kind, e.g. `round-robin`. */
  readonly name: string;
  /** Runs task steps on more than one thread at once. */
  readonly parallel: boolean;
  /** Accepts in-process bodies (closures); `false` means task references only. */
  readonly closures: boolean;
  /** Arguments and results cross a thread or process boundary by structured clone. */
  readonly clonesArguments: boolean;
  /** Hands the thread back to the event loop after a bounded slice of steps. */
  readonly timeSliced: boolean;
  /** The ordering the executor promises. */
  readonly ordering: OrderingGuarantee;
  /**
   * Runs tasks in workers (threads or processes) that can die under them, and recovers:
   * a task queued on a worker that dies still runs elsewhere, and one running there
   * settles (rejected) rather than being lost. Default `false`.
   */
  readonly losesWorkers?: boolean;
  /** Honours `SpawnOptions.priority`: higher priorities start (and step) first. Default `false`. */
  readonly priorities?: boolean;
}
