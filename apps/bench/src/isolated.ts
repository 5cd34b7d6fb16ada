import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Comparison, Measurement } from './results.js';
import { ratioInterval } from './ratio-interval.js';
import type { CaseResult, Progress, Timing } from './runner.js';
import { median, runCase } from './runner.js';
import type { BenchCase, Suite, SuiteOptions } from './suite.js';

/** What a child process is asked to measure: one subject of one case, alone. */
export interface IsolatedRequest {
  readonly suite: string;
  readonly case: string;
  readonly subject: string;
  readonly options: SuiteOptions;
  readonly timing: Timing;
}

/** What it measured: the subject's median per operation, or why it failed. */
export interface IsolatedResult {
  readonly median: number;
  readonly failed?: string;
}

/** Measures one subject in a fresh process (see {@link measureInChild}); replaceable in tests. */
export type MeasureIsolated = (request: IsolatedRequest) => Promise<IsolatedResult>;

/** The line a child prints its result on, after this prefix (a suite may print lines of its own). */
export const RESULT_PREFIX = '@spindle/bench isolated result: ';

/**
 * Measures one subject of one case in this process, with no other subject of the case run
 * or even started: what a child process does. The case's subjects are all released after.
 */
export async function measureAlone(request: IsolatedRequest, suites: readonly Suite[]): Promise<IsolatedResult> {
  const suite = suites.find((candidate) => candidate.name === request.suite);
  if (suite === undefined) throw new RangeError(`isolated: no suite "${request.suite}"`);
  const bench = suite.cases(request.options).find((candidate) => candidate.name === request.case);
  if (bench === undefined) throw new RangeError(`isolated: no case "${request.case}" in suite "${request.suite}"`);
  const subject = bench.subjects.find((candidate) => candidate.subject === request.subject);
  if (subject === undefined) throw new RangeError(`isolated: no subject "${request.subject}" in ${request.suite} › ${request.case}`);
  const alone: BenchCase = {
    name: bench.name,
    description: bench.description,
    opsPerRun: bench.opsPerRun,
    op: bench.op,
    expected: bench.expected,
    baseline: subject.subject,
    ...(bench.timing === undefined ? {} : { timing: bench.timing }),
    subjects: [subject],
  };
  try {
    const { rows } = await runCase(suite, alone, request.timing);
    const row = rows[0];
    if (row === undefined) throw new Error(`isolated: ${request.suite} › ${request.case} measured nothing`);
    return row.failed === undefined ? { median: row.median } : { median: Number.NaN, failed: row.failed };
  } finally {
    for (const each of bench.subjects) await each.dispose?.();
  }
}

const run = promisify(execFile);
const childEntry = fileURLToPath(new URL('./isolated-child.ts', import.meta.url));

/**
 * Measures one subject in a fresh Node process started the way this one was (the same
 * `execArgv`, so the same TypeScript loader), which runs {@link measureAlone}.
 */
export const measureInChild: MeasureIsolated = async (request) => {
  const { stdout } = await run(process.execPath, [...process.execArgv, childEntry, JSON.stringify(request)], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = stdout
    .split('\n')
    .reverse()
    .find((candidate) => candidate.startsWith(RESULT_PREFIX));
  if (line === undefined) throw new Error(`isolated: the process measuring ${request.suite} › ${request.case} › ${request.subject} printed no result`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as IsolatedResult;
};

/**
 * Measures a case with every subject in its own fresh process, `processes` times each: no
 * subject shares a JIT, inline caches or a heap with another, and none runs after another
 * in the same process. Each round measures every subject once (order reversed every other
 * round); a round's ratio is a subject's median over the baseline's from the same round.
 * A row is the median of its processes' medians; a ratio is the geometric mean of its
 * rounds' ratios, with a 95% confidence interval ({@link ratioInterval}); a case's focus
 * subject divides the others as in {@link runCase}. Extra figures are left out.
 */
export async function runCaseIsolated(
  suite: Suite,
  bench: BenchCase,
  options: SuiteOptions,
  timing: Timing,
  processes: number,
  progress: Progress,
  measure: MeasureIsolated = measureInChild,
): Promise<CaseResult> {
  if (!Number.isInteger(processes) || processes < 2) throw new RangeError(`isolated: needs at least 2 processes per subject, got ${String(processes)}`);
  if (!bench.subjects.some((subject) => subject.subject === bench.baseline)) {
    throw new Error(`case ${suite.name} › ${bench.name} has no subject for its baseline "${bench.baseline}"`);
  }
  const names = bench.subjects.map((subject) => subject.subject);
  const medians = new Map<string, number[]>(names.map((name) => [name, []]));
  const failures = new Map<string, string>();
  const rounds: Map<string, number>[] = [];
  for (let round = 0; round < processes; round++) {
    progress(`${suite.name} › ${bench.name}: processes ${String(round + 1)} of ${String(processes)}`);
    const measured = new Map<string, number>();
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      if (failures.has(name)) continue;
      const result = await measure({ suite: suite.name, case: bench.name, subject: name, options, timing: { ...timing, rounds: 1 } });
      if (result.failed !== undefined) {
        failures.set(name, result.failed);
        continue;
      }
      measured.set(name, result.median);
      medians.get(name)?.push(result.median);
    }
    rounds.push(measured);
  }
  const rows = names.map((name): Measurement => {
    const row = { suite: suite.name, case: bench.name, subject: name, metric: `time per ${bench.op}`, unit: 'ns' };
    const failed = failures.get(name);
    if (failed !== undefined) return { ...row, median: Number.NaN, samples: 0, failed };
    const taken = medians.get(name) ?? [];
    return { ...row, median: median(taken), samples: taken.length, values: taken.map((value) => Number(value.toPrecision(4))) };
  });
  // As `compare` does: each subject over the baseline, then each other subject over the focus.
  const ratios: Comparison[] = [];
  for (const reference of [bench.baseline, bench.focus]) {
    if (reference === undefined || failures.has(reference)) continue;
    for (const name of names) {
      if (name === reference || failures.has(name) || (reference === bench.focus && name === bench.baseline)) continue;
      const paired = rounds.flatMap((round) => {
        const mine = round.get(name);
        const base = round.get(reference);
        return mine === undefined || base === undefined ? [] : [mine / base];
      });
      const { ratio, low, high, count } = ratioInterval(paired);
      ratios.push({ suite: suite.name, case: bench.name, subject: name, baseline: reference, ratio, interval: { low, high, processes: count } });
    }
  }
  return { suite, bench, rows, ratios, figures: [] };
}
