import type { Finding, Recording } from '@spindle/diagnostics';

/** Sizes every stage reads; the CLI sets them, tests make them small. */
export interface StageSizes {
  /** Delay of the middle-sized fetch; the three fetches take ×1, ×2/3 and ×4/3 of it. */
  readonly delayMs: number;
  /** CPU tasks the pool stage spreads over its workers. */
  readonly tasks: number;
  /** Iterations of the cheapest pool task (the heavy ones take 8×). */
  readonly unit: number;
  /** Worker threads of the pool stage. */
  readonly threads: number;
  /** How long the sync-over-async mistake blocks the main thread. */
  readonly blockMs: number;
}

/** Reports progress of a long stage (0..1), for the terminal; tests pass a no-op. */
export type Progress = (done: number, total: number) => void;

/** What a stage's own code returns: its result, and lines worth printing. */
export interface StageOutcome {
  /** The stage's answer (the numbers, the checksum…), shown and compared across stages. */
  readonly result: unknown;
  /** Stage-specific facts: steals, findings, what CPU time covers. */
  readonly notes: readonly string[];
  readonly findings?: readonly Finding[];
}

/** One step on the path from blocking code to a work-stealing pool. */
export interface Stage {
  /** 1-based position on the path. */
  readonly index: number;
  /** Short kebab-case name for `--stage`. */
  readonly name: string;
  readonly title: string;
  /** One or two sentences: what is shown, and what to look for. */
  readonly summary: string;
  run(sizes: StageSizes, progress: Progress): Promise<StageOutcome>;
}

/** A stage after it ran: its outcome, its times and its recorded timeline. */
export interface StageRun {
  readonly stage: Stage;
  readonly outcome: StageOutcome;
  readonly wallMs: number;
  /** User + system CPU of the whole process (every thread) while the stage ran. */
  readonly cpuMs: number;
  readonly recording: Recording;
}

/** The three fetch delays for a middle delay of `delayMs`: distinct, so answers arrive out of order. */
export function fetchDelays(delayMs: number): readonly number[] {
  return [delayMs, Math.round((delayMs * 2) / 3), Math.round((delayMs * 4) / 3)];
}

/** The numbers the fetches return: three digits of pi. */
export const fetchValues: readonly number[] = [3, 1, 4];
