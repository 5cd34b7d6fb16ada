import type { HistogramSummary } from './histogram.js';
import type { TrackedState } from './task-tracker.js';

/** Minimum, maximum and current value of a gauge since metrics started. */
export interface Gauge {
  readonly current: number;
  readonly min: number;
  readonly max: number;
}

/** What one executor did since metrics started. */
export interface ExecutorMetrics {
  readonly executor: string;
  readonly spawned: number;
  readonly settled: number;
  readonly fulfilled: number;
  readonly rejected: number;
  readonly cancelled: number;
  /** Tasks spawned and not settled. */
  readonly live: number;
  readonly steps: number;
  /** Steps that ended with `yield` (ready again at once). */
  readonly yields: number;
  /** Steps that ended parked (`wait`). */
  readonly parks: number;
  readonly wakes: number;
  readonly steals: number;
  /** Ready tasks (spawned, yielded or woken, not yet running). */
  readonly ready: Gauge;
  /** Duration of one step. */
  readonly stepTime: HistogramSummary;
  /** Time from ready (spawn, yield or wake) to running. */
  readonly schedulingDelay: HistogramSummary;
  /** Threads the executor ran steps on. */
  readonly threads: readonly number[];
  /** Time spent in steps, summed over its threads. */
  readonly busyMs: number;
  /** Time its threads were not running its steps: `windowMs × threads − busyMs`. */
  readonly idleMs: number;
  /** `busyMs / (windowMs × threads)`, 0 to 1. */
  readonly utilisation: number;
}

/** What one thread did since metrics started, across executors. */
export interface ThreadMetrics {
  readonly thread: number;
  readonly steps: number;
  readonly busyMs: number;
  readonly idleMs: number;
  readonly utilisation: number;
  readonly stepTime: HistogramSummary;
  /** Per executor that ran steps on this thread. */
  readonly executors: readonly { readonly executor: string; readonly steps: number; readonly busyMs: number }[];
}

/** One task's time, split into running, waiting for a thread, and parked. */
export interface TaskMetrics {
  readonly taskId: number;
  readonly executor: string;
  readonly name: string | undefined;
  readonly body: string;
  readonly state: TrackedState;
  readonly steps: number;
  /** In steps. */
  readonly busyMs: number;
  /** Ready, waiting for a thread. */
  readonly scheduledMs: number;
  /** Parked, waiting for what it awaits (idle). */
  readonly idleMs: number;
}

/** Everything {@link Metrics} knows at one moment. */
export interface MetricsSnapshot {
  /** Epoch ms of the snapshot. */
  readonly time: number;
  /** Milliseconds since metrics started (or were reset). */
  readonly windowMs: number;
  readonly executors: readonly ExecutorMetrics[];
  readonly threads: readonly ThreadMetrics[];
  /** Live tasks, then the most recently settled ones (up to `keepSettledTasks`). */
  readonly tasks: readonly TaskMetrics[];
}
