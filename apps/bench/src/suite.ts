import type { Measurement } from './results.js';

/** What every suite is told about the run. */
export interface SuiteOptions {
  /** A short run (CI smoke): fewer samples, same workloads, so figures stay comparable. */
  readonly quick: boolean;
  /** Worker threads for suites that use a pool; suites without one ignore it. */
  readonly threads: number;
}

/**
 * One contender in a case: an executor from this repository (`spindle/<package>`), a
 * peer library (its npm name), or a baseline (`hand-written`, `native`).
 */
export interface Subject {
  readonly subject: string;
  /** What it runs, in a few words, for the table. */
  readonly runs: string;
  /**
   * Runs the case's workload once and returns a checksum of the work done. The runner
   * checks it against {@link BenchCase.expected} before measuring, so every subject in a
   * case provably does the same work.
   */
  run(): PromiseLike<number> | number;
  /** Releases what the subject holds (an executor, a pool) once the case is measured. */
  dispose?(): Promise<void> | void;
  /**
   * Optional: starts what stays on while this subject's runs are measured (a recorder, say)
   * and returns what stops it. The runner calls it before each block of the subject's runs
   * (its check, its warm-up, and each round's timed runs) and stops it after, so the other
   * subjects' runs never have it on, and its start and stop are not timed.
   */
  session?(): () => void;
  /**
   * The subject is known to fail this workload (a peer that overflows the stack, say). If
   * `run()` throws, the case goes on and the subject's row is reported as failed, with the
   * error, instead of a figure. A subject without it that throws fails the case.
   */
  readonly mayFail?: boolean;
}

/** Shorter timing for a case whose runs are long; each figure can only lower the run's own. */
export interface CaseTiming {
  readonly rounds?: number;
  readonly time?: number;
  readonly iterations?: number;
  readonly warmupTime?: number;
  readonly warmupIterations?: number;
}

/** One measured comparison: a workload, the subjects that run it, and the baseline. */
export interface BenchCase {
  /** Short, stable name, e.g. `yield/state-machine`; rows in results are keyed by it. */
  readonly name: string;
  /** One line on what is measured. */
  readonly description: string;
  /** How many operations one run performs (steps, tasks, …); figures are per operation. */
  readonly opsPerRun: number;
  /** What one operation is, e.g. `step`; the metric is "time per <op>". */
  readonly op: string;
  /** The checksum every subject's `run()` must return. */
  readonly expected: number;
  /** `subject` of the baseline the others are divided by. */
  readonly baseline: string;
  /**
   * Optional: the subject the case is about (`spindle/<package>`). Every other subject is
   * also divided by it, so the report says how each compares with it directly.
   */
  readonly focus?: string;
  /** Optional: fewer or shorter samples for a case whose runs take seconds. */
  readonly timing?: CaseTiming;
  readonly subjects: readonly Subject[];
  /**
   * Optional: more figures than the time per operation (throughput, latency percentiles,
   * makespan against an ideal, speedup, memory). Called once the case is measured, with its
   * rows (failed subjects included, `median` NaN); each figure becomes a row of the same
   * shape, and is also divided by the focus subject's (or else the baseline's) figure of the
   * same metric.
   */
  figures?(rows: readonly Measurement[]): readonly Figure[];
}

/** An extra figure of one subject in one case: a row without the suite and case. */
export interface Figure {
  readonly subject: string;
  /** What it is, e.g. `throughput`, `p99 latency`, `makespan ÷ ideal`. */
  readonly metric: string;
  readonly median: number;
  /** e.g. `tasks/s`, `µs`, `x`, `MiB`. */
  readonly unit: string;
  /** How many samples (runs, tasks) the figure is taken over. */
  readonly samples: number;
}

/** A named group of cases; one file per suite under `src/suites/`. */
export interface Suite {
  readonly name: string;
  readonly description: string;
  /** npm packages whose versions the results record (Spindle's own and peers'). */
  readonly packages: readonly string[];
  /** Builds the cases for a run; called once per run, right before they are measured. */
  cases(options: SuiteOptions): readonly BenchCase[];
}

/** Turns `@spindle/round-robin` into the subject name `spindle/round-robin`. */
export function spindleSubject(packageName: `@spindle/${string}`): string {
  return packageName.slice(1);
}
