import { Bench, hrtimeNow } from 'tinybench';
import type { Comparison, Measurement } from './results.js';
import type { BenchCase, Subject, Suite, SuiteOptions } from './suite.js';

/** How long to measure. */
export interface Timing {
  /** Rounds per case; each round measures every subject, in alternating order. */
  readonly rounds: number;
  /** Milliseconds (at least) each subject is measured per round. */
  readonly time: number;
  /** Samples (at least) each subject takes per round. */
  readonly iterations: number;
  readonly warmupTime: number;
  readonly warmupIterations: number;
}

export const fullTiming: Timing = { rounds: 3, time: 500, iterations: 32, warmupTime: 250, warmupIterations: 16 };
export const quickTiming: Timing = { rounds: 1, time: 60, iterations: 8, warmupTime: 30, warmupIterations: 4 };

/** One case, measured: its rows in subject order and the ratios to its baseline. */
export interface CaseResult {
  readonly suite: Suite;
  readonly bench: BenchCase;
  readonly rows: readonly Measurement[];
  readonly ratios: readonly Comparison[];
}

/** Where the runner reports progress (stderr by default: stdout carries the table). */
export type Progress = (line: string) => void;

/** Runs every case of a suite. */
export async function runSuite(suite: Suite, options: SuiteOptions, timing: Timing, progress: Progress): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const bench of suite.cases(options)) {
    progress(`${suite.name} › ${bench.name}`);
    try {
      results.push(await runCase(suite, bench, timing));
    } finally {
      for (const subject of bench.subjects) await subject.dispose?.();
    }
  }
  return results;
}

/**
 * Measures one case: checks every subject does the case's work, then measures them in
 * rounds (order reversed every other round, so neither goes first every time) and takes
 * each subject's median over all its samples. Ratios come from this one run.
 */
export async function runCase(suite: Suite, bench: BenchCase, timing: Timing): Promise<CaseResult> {
  if (!bench.subjects.some((subject) => subject.subject === bench.baseline)) {
    throw new Error(`case ${suite.name} › ${bench.name} has no subject for its baseline "${bench.baseline}"`);
  }
  for (const subject of bench.subjects) await verify(suite, bench, subject);

  const samples = new Map<Subject, number[]>(bench.subjects.map((subject) => [subject, []]));
  for (let round = 0; round < timing.rounds; round++) {
    const order = round % 2 === 0 ? bench.subjects : [...bench.subjects].reverse();
    const tinybench = new Bench({
      name: `${suite.name} › ${bench.name}`,
      now: hrtimeNow,
      throws: true,
      time: timing.time,
      iterations: timing.iterations,
      warmupTime: timing.warmupTime,
      warmupIterations: timing.warmupIterations,
    });
    const bySubject = new Map<string, Subject>();
    for (const subject of order) {
      bySubject.set(subject.subject, subject);
      tinybench.add(subject.subject, async () => {
        await subject.run();
      });
    }
    for (const task of await tinybench.run()) {
      const subject = bySubject.get(task.name);
      const latency = task.result?.latency;
      if (subject === undefined || latency === undefined) throw new Error(`tinybench returned no result for ${task.name}`);
      samples.get(subject)?.push(...latency.samples);
    }
  }

  const rows = bench.subjects.map((subject): Measurement => {
    const taken = samples.get(subject) ?? [];
    return {
      suite: suite.name,
      case: bench.name,
      subject: subject.subject,
      metric: `time per ${bench.op}`,
      // tinybench measures milliseconds per run; rows are nanoseconds per operation.
      median: (median(taken) * 1e6) / bench.opsPerRun,
      unit: 'ns',
      samples: taken.length,
    };
  });
  return { suite, bench, rows, ratios: compare(bench, rows) };
}

async function verify(suite: Suite, bench: BenchCase, subject: Subject): Promise<void> {
  const checksum = await subject.run();
  if (checksum !== bench.expected) {
    throw new Error(
      `${suite.name} › ${bench.name}: ${subject.subject} did different work (checksum ${checksum}, expected ${bench.expected})`,
    );
  }
}

/** Each non-baseline row divided by the case's baseline row. */
export function compare(bench: BenchCase, rows: readonly Measurement[]): Comparison[] {
  const baseline = rows.find((row) => row.subject === bench.baseline);
  if (baseline === undefined) return [];
  return rows
    .filter((row) => row !== baseline)
    .map((row) => ({ suite: row.suite, case: row.case, subject: row.subject, baseline: baseline.subject, ratio: row.median / baseline.median }));
}

/** The median of a list of numbers (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  if (sorted.length % 2 === 1) return upper;
  return ((sorted[middle - 1] ?? upper) + upper) / 2;
}
