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
  /** Rows from the case's extra figures (after `rows`; empty for most cases). */
  readonly figures?: readonly Measurement[];
}

/** Where the runner reports progress (stderr by default: stdout carries the table). */
export type Progress = (line: string) => void;

/** How a suite's cases are picked and measured. */
export interface SuiteRun {
  /** Measure only cases whose name starts with one of these; empty or absent = every case. */
  readonly cases?: readonly string[];
  /** Measures one case; {@link runCase} unless told otherwise (`--isolate` measures in processes of their own). */
  readonly measure?: (suite: Suite, bench: BenchCase) => Promise<CaseResult>;
}

/** Runs every case of a suite (or those `run.cases` picks). */
export async function runSuite(suite: Suite, options: SuiteOptions, timing: Timing, progress: Progress, run: SuiteRun = {}): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const prefixes = run.cases ?? [];
  const measure = run.measure ?? ((of: Suite, bench: BenchCase) => runCase(of, bench, timing));
  for (const bench of suite.cases(options)) {
    if (prefixes.length > 0 && !prefixes.some((prefix) => bench.name.startsWith(prefix))) continue;
    progress(`${suite.name} › ${bench.name}`);
    try {
      results.push(await measure(suite, bench));
    } finally {
      for (const subject of bench.subjects) await subject.dispose?.();
    }
  }
  return results;
}

/**
 * Measures one case: checks every subject does the case's work, then measures them in
 * rounds (order reversed every other round, so neither goes first every time) and takes
 * each subject's median over all its samples. Ratios come from this one run. A subject
 * marked `mayFail` whose run throws is not measured: its row reports the error instead.
 */
export async function runCase(suite: Suite, bench: BenchCase, timing: Timing): Promise<CaseResult> {
  if (!bench.subjects.some((subject) => subject.subject === bench.baseline)) {
    throw new Error(`case ${suite.name} › ${bench.name} has no subject for its baseline "${bench.baseline}"`);
  }
  if (bench.focus !== undefined && !bench.subjects.some((subject) => subject.subject === bench.focus)) {
    throw new Error(`case ${suite.name} › ${bench.name} has no subject for its focus "${bench.focus}"`);
  }
  const failures = new Map<Subject, string>();
  for (const subject of bench.subjects) {
    const failure = await verify(suite, bench, subject);
    if (failure !== undefined) failures.set(subject, failure);
  }
  const measured = bench.subjects.filter((subject) => !failures.has(subject));
  const caseTiming = shorten(timing, bench);

  const samples = new Map<Subject, number[]>(measured.map((subject) => [subject, []]));
  for (let round = 0; round < caseTiming.rounds && measured.length > 0; round++) {
    const order = round % 2 === 0 ? measured : [...measured].reverse();
    const tinybench = new Bench({
      name: `${suite.name} › ${bench.name}`,
      now: hrtimeNow,
      throws: true,
      time: caseTiming.time,
      iterations: caseTiming.iterations,
      warmupTime: caseTiming.warmupTime,
      warmupIterations: caseTiming.warmupIterations,
    });
    const bySubject = new Map<string, Subject>();
    for (const subject of order) {
      bySubject.set(subject.subject, subject);
      let stop: (() => void) | undefined;
      const session = subject.session?.bind(subject);
      tinybench.add(
        subject.subject,
        async () => {
          await subject.run();
        },
        session === undefined
          ? {}
          : {
              beforeAll: () => {
                stop = session();
              },
              afterAll: () => {
                stop?.();
                stop = undefined;
              },
            },
      );
    }
    for (const task of await tinybench.run()) {
      const subject = bySubject.get(task.name);
      const latency = task.result?.latency;
      if (subject === undefined || latency === undefined) throw new Error(`tinybench returned no result for ${task.name}`);
      samples.get(subject)?.push(...latency.samples);
    }
  }

  const rows = bench.subjects.map((subject): Measurement => {
    const row = { suite: suite.name, case: bench.name, subject: subject.subject, metric: `time per ${bench.op}`, unit: 'ns' };
    const failure = failures.get(subject);
    if (failure !== undefined) return { ...row, median: Number.NaN, samples: 0, failed: failure };
    const taken = samples.get(subject) ?? [];
    // tinybench measures milliseconds per run; rows are nanoseconds per operation. The
    // median comes from the unrounded samples; the kept values are rounded for size.
    const perOp = taken.map((sample) => Number(((sample * 1e6) / bench.opsPerRun).toPrecision(4)));
    return { ...row, median: (median(taken) * 1e6) / bench.opsPerRun, samples: taken.length, values: perOp };
  });
  const figures = (bench.figures?.(rows) ?? []).map(
    (figure): Measurement => ({ suite: suite.name, case: bench.name, ...figure }),
  );
  return { suite, bench, rows, ratios: [...compare(bench, rows), ...compareFigures(bench, figures)], figures };
}

/** The run's timing, shortened where the case asks for less. */
function shorten(timing: Timing, bench: BenchCase): Timing {
  const own = bench.timing;
  if (own === undefined) return timing;
  const lower = (mine: number | undefined, theirs: number): number => (mine === undefined ? theirs : Math.min(mine, theirs));
  return {
    rounds: Math.max(1, lower(own.rounds, timing.rounds)),
    time: lower(own.time, timing.time),
    iterations: Math.max(1, lower(own.iterations, timing.iterations)),
    warmupTime: lower(own.warmupTime, timing.warmupTime),
    warmupIterations: lower(own.warmupIterations, timing.warmupIterations),
  };
}

/** Runs the subject once; returns why it failed if it is allowed to, throws otherwise. */
async function verify(suite: Suite, bench: BenchCase, subject: Subject): Promise<string | undefined> {
  let checksum: number;
  const stop = subject.session?.();
  try {
    checksum = await subject.run();
  } catch (error) {
    if (subject.mayFail !== true) throw error;
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } finally {
    stop?.();
  }
  if (checksum !== bench.expected) {
    throw new Error(
      `${suite.name} › ${bench.name}: ${subject.subject} did different work (checksum ${checksum}, expected ${bench.expected})`,
    );
  }
  return undefined;
}

/**
 * Each non-baseline row divided by the case's baseline row, then, in a case with a focus
 * subject, each other row divided by the focus row. Failed rows have no ratios.
 */
export function compare(bench: BenchCase, rows: readonly Measurement[]): Comparison[] {
  const ratios: Comparison[] = [];
  for (const reference of [bench.baseline, bench.focus]) {
    if (reference === undefined) continue;
    const base = rows.find((row) => row.subject === reference);
    if (base === undefined || base.failed !== undefined) continue;
    for (const row of rows) {
      if (row === base || row.failed !== undefined) continue;
      if (reference === bench.focus && row.subject === bench.baseline) continue;
      ratios.push({ suite: row.suite, case: row.case, subject: row.subject, baseline: base.subject, ratio: row.median / base.median });
    }
  }
  return ratios;
}

/**
 * Each extra figure divided by the same metric of the case's focus subject (or, without
 * one, its baseline). Figures that are not finite have no ratio.
 */
export function compareFigures(bench: BenchCase, figures: readonly Measurement[]): Comparison[] {
  const reference = bench.focus ?? bench.baseline;
  const ratios: Comparison[] = [];
  for (const figure of figures) {
    if (figure.subject === reference || !Number.isFinite(figure.median)) continue;
    const base = figures.find((candidate) => candidate.subject === reference && candidate.metric === figure.metric);
    if (base === undefined || !Number.isFinite(base.median) || base.median === 0) continue;
    ratios.push({
      suite: figure.suite,
      case: figure.case,
      subject: figure.subject,
      baseline: reference,
      ratio: figure.median / base.median,
      metric: figure.metric,
    });
  }
  return ratios;
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
