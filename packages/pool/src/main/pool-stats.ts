import type { TimingSummary } from '@spindle/core/kit';

/** Figures a pool keeps about itself; cheap enough to poll. */
export interface PoolStats {
  /** Workers running. */
  readonly threads: number;
  /** Tasks accepted from this thread and not yet settled. */
  readonly live: number;
  /** Tasks waiting to start: on the main thread plus in the inject queue. */
  readonly queued: number;
  /** Tasks started by workers (children included). */
  readonly executed: number;
  /** Successful steals (each takes a batch). */
  readonly steals: number;
  /** Workers replaced after a crash. */
  readonly crashes: number;
  /** Workers terminated (and replaced) to stop a cancelled task stuck in one step (see `cancelTimeout`). */
  readonly terminated: number;
  /** Share of workers that are not sleeping right now, 0..1. */
  readonly utilisation: number;
  /** Per-worker counters (by worker index, running workers only), for tuning and diagnosis. */
  readonly workers: readonly PoolWorkerStats[];
  /**
   * Milliseconds tasks spawned from the main thread waited, from `spawn` until a worker
   * started them (count, mean, p50, p90, p99, max), over the latest 1,024 timed tasks:
   * every one of the first 64, then one in 8.
   */
  readonly waitTime: TimingSummary;
  /** Milliseconds the same tasks ran, from their start in a worker until they settled there (the same window). */
  readonly runTime: TimingSummary;
}

/**
 * Counters of the worker at one index since the pool started (a worker started in the place
 * of one that crashed goes on counting); totals, however long the pool runs (see
 * {@link PoolStats.workers}).
 */
export interface PoolWorkerStats {
  /** The worker's index in the pool. */
  readonly index: number;
  /** Tasks it started. */
  readonly executed: number;
  /** Successful steals from other workers' deques. */
  readonly steals: number;
  /** Times it went to sleep. */
  readonly parks: number;
  /** Batches it took from the inject queue. */
  readonly injectTakes: number;
  /** Microseconds it spent parked. */
  readonly parkedMicros: number;
}

/** The figures of a pool whose workers never started. */
export const idleStats: Omit<PoolStats, 'live' | 'queued' | 'waitTime' | 'runTime'> = Object.freeze({
  threads: 0,
  executed: 0,
  steals: 0,
  crashes: 0,
  terminated: 0,
  utilisation: 0,
  workers: Object.freeze([]),
});
