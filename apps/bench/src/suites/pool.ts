import { fileURLToPath } from 'node:url';
import { taskRef } from '@spindle/core';
import { PoolExecutor } from '@spindle/pool';
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';
import { fib, inc, spin } from '../pool-tasks/tasks.mjs';
import type { spindleFib, spindleInc, spindleSpin } from '../pool-tasks/tasks.mjs';
import type { Measurement } from '../results.js';
import type { BenchCase, Figure, Subject, Suite, SuiteOptions } from '../suite.js';
import { spindleSubject } from '../suite.js';

/** The shared task module (plain JavaScript: every pool's workers load it natively). */
const tasksUrl = new URL('../pool-tasks/tasks.mjs', import.meta.url);
/** workerpool's worker script: the same bodies, registered with `workerpool.worker`. */
const workerpoolScript = fileURLToPath(new URL('../pool-tasks/workerpool-worker.mjs', import.meta.url));

const incRef = taskRef<typeof spindleInc>(tasksUrl, 'spindleInc');
const spinRef = taskRef<typeof spindleSpin>(tasksUrl, 'spindleSpin');
const fibRef = taskRef<typeof spindleFib>(tasksUrl, 'spindleFib');

const pool = spindleSubject('@spindle/pool');
/** The same pool with one worker: the fork–join case's speedup is taken against it. */
const poolOneThread = `${pool}-1-thread`;

/** Sizes; quick mode (CI smoke) scales counts down so the suite stays well under 30 s. */
interface Sizes {
  readonly tinyTasks: number;
  readonly imbalancedTasks: number;
  /** Length of a light task in the imbalanced case, in µs (heavy ones are 100x). */
  readonly lightMicros: number;
  readonly sequentialTasks: number;
  readonly memoryTasks: number;
}
const fullSizes: Sizes = { tinyTasks: 100_000, imbalancedTasks: 2_000, lightMicros: 100, sequentialTasks: 10_000, memoryTasks: 1_000_000 };
const quickSizes: Sizes = { tinyTasks: 10_000, imbalancedTasks: 500, lightMicros: 100, sequentialTasks: 2_000, memoryTasks: 0 };

/** Every 50th task of the imbalanced case is 100x heavier. */
const HEAVY_EVERY = 50;
const HEAVY_FACTOR = 100;
const FIB_N = 30;
const FIB_THRESHOLD = 20;
/** Tasks per batch when pushing the memory case's million tasks. */
const MEMORY_BATCH = 10_000;

// ---------------------------------------------------------------------------------------
// One interface over the four pools.

/** A running pool, whichever library: the three task kinds as promises. */
interface Driver {
  inc(n: number): PromiseLike<number>;
  spin(iterations: number, seed: number): PromiseLike<number>;
  /** A fork–join leaf, fib(n) by plain recursion in the worker. */
  fib(n: number): PromiseLike<number>;
  close(): Promise<void>;
}

/** A Spindle pool, also reachable as such for nested spawning and stats. */
interface SpindleDriver extends Driver {
  readonly executor: PoolExecutor;
}

function spindleDriver(threads: number, label: string): SpindleDriver {
  const executor = new PoolExecutor({ threads, label });
  return {
    executor,
    inc: (n) => executor.spawn(incRef, [n]),
    spin: (iterations, seed) => executor.spawn(spinRef, [iterations, seed]),
    fib: (n) => executor.spawn(fibRef, [n, Number.POSITIVE_INFINITY]),
    close: () => executor.close(),
  };
}

function piscinaDriver(threads: number): Driver {
  const piscina = new Piscina({ filename: tasksUrl.href, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  return {
    inc: (n) => piscina.run(n, { name: 'inc' }) as Promise<number>,
    spin: (iterations, seed) => piscina.run([iterations, seed], { name: 'spinTask' }) as Promise<number>,
    fib: (n) => piscina.run(n, { name: 'fib' }) as Promise<number>,
    close: () => piscina.destroy(),
  };
}

function tinypoolDriver(threads: number): Driver {
  const tinypool = new Tinypool({ filename: tasksUrl.href, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  return {
    inc: (n) => tinypool.run(n, { name: 'inc' }) as Promise<number>,
    spin: (iterations, seed) => tinypool.run([iterations, seed], { name: 'spinTask' }) as Promise<number>,
    fib: (n) => tinypool.run(n, { name: 'fib' }) as Promise<number>,
    close: () => tinypool.destroy(),
  };
}

function workerpoolDriver(threads: number): Driver {
  const wp = workerpool.pool(workerpoolScript, { minWorkers: threads, maxWorkers: threads, workerType: 'thread' });
  return {
    inc: (n) => wp.exec('inc', [n]) as PromiseLike<number>,
    spin: (iterations, seed) => wp.exec('spin', [iterations, seed]) as PromiseLike<number>,
    fib: (n) => wp.exec('fib', [n]) as PromiseLike<number>,
    close: async () => {
      await wp.terminate();
    },
  };
}

/**
 * Brings a pool up outside any timed region: Spindle's `ready()` (every worker running),
 * then, for every pool, a warm-up burst that also makes each library start its workers.
 */
async function warmUp(driver: Driver, threads: number, executor?: PoolExecutor): Promise<void> {
  await executor?.ready();
  const burst: PromiseLike<number>[] = [];
  for (let i = 0; i < 500 * threads; i++) burst.push(driver.inc(i));
  for (let i = 0; i < 4 * threads; i++) burst.push(driver.spin(1_000, i), driver.fib(15));
  await Promise.all(burst);
}

/**
 * A subject on one pool, created on its first run (the runner's check run, which is not
 * timed) and closed in `dispose`, so every pool is created once per case.
 */
function onPool<D extends Driver>(
  subject: string,
  runs: string,
  threads: number,
  create: () => D,
  body: (driver: D) => Promise<number>,
  executor?: (driver: D) => PoolExecutor,
): Subject {
  let driver: D | undefined;
  let starting: Promise<D> | undefined;
  const start = async (): Promise<D> => {
    const created = create();
    driver = created;
    await warmUp(created, threads, executor?.(created));
    return created;
  };
  return {
    subject,
    runs,
    // Spindle's pool is what the suite is about: if it throws, the run fails. Peers are
    // reported as failed instead.
    mayFail: !subject.startsWith('spindle/'),
    run: async () => body(await (starting ??= start())),
    dispose: async () => {
      const open = driver;
      driver = undefined;
      starting = undefined;
      await open?.close();
    },
  };
}

/** A case body: given the subject's name, what one run does on its pool. */
type Body = (subject: string) => (driver: Driver) => Promise<number>;

/** The three peers of a case, in report order, each running `body`. */
function peers(threads: number, runs: string, body: Body): Subject[] {
  return [
    onPool('piscina', runs, threads, () => piscinaDriver(threads), body('piscina')),
    onPool('tinypool', runs, threads, () => tinypoolDriver(threads), body('tinypool')),
    onPool('workerpool', runs, threads, () => workerpoolDriver(threads), body('workerpool')),
  ];
}

/** Spindle's pool with `threads` workers running `body`. */
function spindlePool(subject: string, threads: number, runs: string, body: (driver: SpindleDriver) => Promise<number>): Subject {
  return onPool(subject, runs, threads, () => spindleDriver(threads, `bench:${subject}`), body, (d) => d.executor);
}

/** The four pools of a case, all running the same `body`. */
function everyPool(threads: number, runs: string, body: Body): Subject[] {
  return [spindlePool(pool, threads, runs, body(pool)), ...peers(threads, runs, body)];
}

// ---------------------------------------------------------------------------------------
// Figures.

function figure(subject: string, metric: string, median: number, unit: string, samples: number): Figure {
  return { subject, metric, median, unit, samples };
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Per subject, per run: the p50 and p99 of the task latencies a run measured. */
class Latencies {
  private readonly bySubject = new Map<string, { p50: number[]; p99: number[] }>();

  /** Records one run's latencies (ms); sorts `times` in place. */
  add(subject: string, times: Float64Array): void {
    times.sort();
    const entry = this.bySubject.get(subject) ?? { p50: [], p99: [] };
    entry.p50.push(quantile(times, 0.5));
    entry.p99.push(quantile(times, 0.99));
    this.bySubject.set(subject, entry);
  }

  /** The middle run's p50 and p99 in µs, as figures named `p50 <what>` and `p99 <what>`. */
  figures(subject: string, what: string): Figure[] {
    const entry = this.bySubject.get(subject);
    const runs = entry?.p50.length ?? 0;
    return [
      figure(subject, `p50 ${what}`, middle(entry?.p50 ?? []) * 1000, 'µs', runs),
      figure(subject, `p99 ${what}`, middle(entry?.p99 ?? []) * 1000, 'µs', runs),
    ];
  }
}

function middle(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const rowOf = (rows: readonly Measurement[], subject: string): Measurement | undefined => rows.find((row) => row.subject === subject);
const measured = (row: Measurement | undefined): row is Measurement => row !== undefined && row.failed === undefined;

// ---------------------------------------------------------------------------------------
// Case 1: a burst of tiny tasks.

function tinyCase(threads: number, sizes: Sizes): BenchCase {
  const n = sizes.tinyTasks;
  /** Per subject, per run: the p50 and p99 of submit → settle over the run's tasks. */
  const latencies = new Latencies();
  const burst = (subject: string) => async (driver: Driver): Promise<number> => {
    const submitted = new Float64Array(n);
    const settled = new Float64Array(n);
    let sum = 0;
    const all: PromiseLike<void>[] = new Array<PromiseLike<void>>(n);
    for (let i = 0; i < n; i++) {
      submitted[i] = performance.now();
      all[i] = driver.inc(i).then((value) => {
        settled[i] = performance.now() - (submitted[i] ?? 0);
        sum += value;
      });
    }
    await Promise.all(all);
    latencies.add(subject, settled);
    return sum;
  };
  return {
    name: `tiny/burst-${n / 1000}k`,
    description: `${n.toLocaleString('en-US')} tasks returning their argument + 1, submitted in one burst from the main thread (${threads} threads)`,
    opsPerRun: n,
    op: 'task',
    expected: (n * (n + 1)) / 2,
    baseline: pool,
    // Runs take up to seconds (workerpool: ~8 s for 100,000): few samples, the check run warms up.
    timing: { rounds: 2, iterations: 2, warmupIterations: 0, warmupTime: 0, time: 0 },
    subjects: everyPool(threads, `burst of ${n.toLocaleString('en-US')} \`n + 1\` tasks, then await all`, burst),
    figures: (rows) =>
      rows.flatMap((row) => {
        if (!measured(row)) return [];
        return [figure(row.subject, 'throughput', 1e9 / row.median, 'tasks/s', row.samples), ...latencies.figures(row.subject, 'latency')];
      }),
  };
}

// ---------------------------------------------------------------------------------------
// Case 2: imbalanced work.

/** Nanoseconds one round of `spin` takes on this thread, after warming it up. */
function calibrateSpin(): number {
  for (let i = 0; i < 20; i++) spin(100_000, i);
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = process.hrtime.bigint();
    spin(1_000_000, i);
    times.push(Number(process.hrtime.bigint() - start) / 1_000_000);
  }
  return middle(times);
}

/** Milliseconds `work` takes inline, median of `runs`. */
function timeInline(work: () => unknown, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  return middle(times);
}

function imbalancedCase(threads: number, sizes: Sizes): BenchCase {
  const n = sizes.imbalancedTasks;
  const light = Math.max(1, Math.round((sizes.lightMicros * 1000) / calibrateSpin()));
  const iterations = (i: number): number => (i % HEAVY_EVERY === 0 ? light * HEAVY_FACTOR : light);
  const inline = (): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += spin(iterations(i), i);
    return sum;
  };
  const expected = inline();
  const heaviestMs = timeInline(() => spin(light * HEAVY_FACTOR, 0), 5);
  /**
   * The ideal makespan: max(total work / threads, heaviest task), the work being the
   * native subject's median (the same tasks run inline, single-threaded, in this run).
   */
  const idealOf = (rows: readonly Measurement[]): number => {
    const native = rowOf(rows, 'native');
    const workMs = measured(native) ? (native.median * n) / 1e6 : timeInline(inline, 3);
    return Math.max(workMs / threads, heaviestMs);
  };
  const steals = new Map<string, number[]>();
  const run = (subject: string) => async (driver: Driver): Promise<number> => {
    const before = 'executor' in driver ? (driver as SpindleDriver).executor.stats.steals : 0;
    const all: PromiseLike<number>[] = [];
    for (let i = 0; i < n; i++) all.push(driver.spin(iterations(i), i));
    let sum = 0;
    for (const value of await Promise.all(all)) sum += value;
    if ('executor' in driver) {
      const list = steals.get(subject) ?? [];
      list.push((driver as SpindleDriver).executor.stats.steals - before);
      steals.set(subject, list);
    }
    return sum;
  };
  const heavy = Math.ceil(n / HEAVY_EVERY);
  return {
    name: `imbalanced/${n}-tasks`,
    description:
      `${n.toLocaleString('en-US')} CPU-bound tasks of ~${sizes.lightMicros} µs, every ${HEAVY_EVERY}th ${HEAVY_FACTOR}x heavier (${heavy} heavy), ` +
      `submitted in one burst (${threads} threads); ideal makespan: max(inline work / threads, heaviest task)`,
    opsPerRun: n,
    op: 'task',
    expected,
    baseline: 'native',
    focus: pool,
    timing: { rounds: 2, iterations: 4, warmupIterations: 0, warmupTime: 0 },
    subjects: [
      { subject: 'native', runs: 'the same tasks inline, one after another on the main thread', run: inline },
      ...everyPool(threads, 'burst, then await all', run),
    ],
    figures: (rows) => {
      const idealMs = idealOf(rows);
      const pools = rows.flatMap((row) => {
        if (!measured(row) || row.subject === 'native') return [];
        const makespanMs = (row.median * n) / 1e6;
        const list = steals.get(row.subject);
        return [
          figure(row.subject, 'makespan', makespanMs, 'ms', row.samples),
          figure(row.subject, 'makespan ÷ ideal', makespanMs / idealMs, 'x', row.samples),
          ...(list === undefined ? [] : [figure(row.subject, 'steals per run', middle(list), 'steals', list.length)]),
        ];
      });
      return [figure('native', 'ideal makespan', idealMs, 'ms', 1), ...pools];
    },
  };
}

// ---------------------------------------------------------------------------------------
// Case 3: nested fork–join.

/** The subproblems below the threshold, in the order the recursion meets them. */
function fibLeaves(n: number, threshold: number, out: number[] = []): number[] {
  if (n < threshold) out.push(n);
  else {
    fibLeaves(n - 1, threshold, out);
    fibLeaves(n - 2, threshold, out);
  }
  return out;
}

function forkJoinCase(threads: number): BenchCase {
  const leaves = fibLeaves(FIB_N, FIB_THRESHOLD);
  const steals = new Map<string, number[]>();
  const nested = (subject: string) => async (driver: SpindleDriver): Promise<number> => {
    const before = driver.executor.stats.steals;
    const result = await driver.executor.spawn(fibRef, [FIB_N, FIB_THRESHOLD]);
    const list = steals.get(subject) ?? [];
    list.push(driver.executor.stats.steals - before);
    steals.set(subject, list);
    return result;
  };
  const flat = () => async (driver: Driver): Promise<number> => {
    let sum = 0;
    for (const value of await Promise.all(leaves.map((leaf) => driver.fib(leaf)))) sum += value;
    return sum;
  };
  const nestedRuns = `nested: one root task; at n ≥ ${FIB_THRESHOLD} each task spawns fib(n-1), fib(n-2) from its worker and joins them`;
  const flatRuns = `flat, from the main thread: the ${leaves.length} subproblems below ${FIB_THRESHOLD}, submitted at once and summed (no nested tasks)`;
  return {
    name: `fork-join/fib-${FIB_N}`,
    description: `fib(${FIB_N}) split recursively down to n < ${FIB_THRESHOLD} (${leaves.length} leaves); Spindle nests, peers can only run the leaves flat (${threads} threads)`,
    opsPerRun: 1,
    op: 'run',
    expected: fib(FIB_N),
    baseline: 'native',
    focus: pool,
    subjects: [
      { subject: 'native', runs: `fib(${FIB_N}) by plain recursion on the main thread`, run: () => fib(FIB_N) },
      spindlePool(pool, threads, nestedRuns, nested(pool)),
      spindlePool(poolOneThread, 1, `${nestedRuns}; 1 thread`, nested(poolOneThread)),
      ...peers(threads, flatRuns, flat),
    ],
    figures: (rows) => {
      const serial = rowOf(rows, 'native');
      const one = rowOf(rows, poolOneThread);
      const out: Figure[] = [];
      for (const row of rows) {
        if (!measured(row) || row.subject === 'native') continue;
        if (measured(serial)) out.push(figure(row.subject, 'speedup over inline', serial.median / row.median, 'x', row.samples));
        const list = steals.get(row.subject);
        if (list !== undefined) out.push(figure(row.subject, 'steals per run', middle(list), 'steals', list.length));
      }
      const main = rowOf(rows, pool);
      if (measured(main) && measured(one)) out.push(figure(pool, 'speedup over 1-thread pool', one.median / main.median, 'x', main.samples));
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Case 4: per-task overhead, one task at a time.

function overheadCase(threads: number, sizes: Sizes): BenchCase {
  const n = sizes.sequentialTasks;
  const sequential = () => async (driver: Driver): Promise<number> => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await driver.inc(i);
    return sum;
  };
  return {
    name: 'overhead/sequential',
    description: `${n.toLocaleString('en-US')} \`n + 1\` tasks one at a time (each awaited before the next is submitted): the round trip a task costs over an inline call (${threads} threads)`,
    opsPerRun: n,
    op: 'task',
    expected: (n * (n + 1)) / 2,
    baseline: 'native',
    focus: pool,
    timing: { rounds: 2, iterations: 4, warmupIterations: 1 },
    subjects: [
      {
        subject: 'native',
        runs: 'the same function called inline',
        run: () => {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += inc(i);
          return sum;
        },
      },
      ...everyPool(threads, 'submit, await, next', sequential),
    ],
    figures: (rows) => {
      const native = rowOf(rows, 'native');
      if (!measured(native)) return [];
      return rows.flatMap((row) =>
        measured(row) && row !== native ? [figure(row.subject, 'overhead per task', (row.median - native.median) / 1000, 'µs', row.samples)] : [],
      );
    },
  };
}

// ---------------------------------------------------------------------------------------
// Case 5: the round trip of one task, its distribution.

function roundTripCase(threads: number, sizes: Sizes): BenchCase {
  const n = sizes.sequentialTasks;
  /** Per subject, per run: the p50 and p99 of one task's submit → settle, one task in flight at a time. */
  const latencies = new Latencies();
  const sequential = (subject: string) => async (driver: Driver): Promise<number> => {
    const trips = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const submitted = performance.now();
      sum += await driver.inc(i);
      trips[i] = performance.now() - submitted;
    }
    latencies.add(subject, trips);
    return sum;
  };
  return {
    name: 'round-trip/sequential',
    description: `${n.toLocaleString('en-US')} \`n + 1\` tasks one at a time, each timed from submit to settle: the distribution of one task's round trip (p50, p99 per run; ${threads} threads)`,
    opsPerRun: n,
    op: 'task',
    expected: (n * (n + 1)) / 2,
    baseline: pool,
    timing: { rounds: 2, iterations: 4, warmupIterations: 1 },
    subjects: everyPool(threads, 'submit, await, next; each round trip timed', sequential),
    figures: (rows) =>
      rows.flatMap((row) => (measured(row) ? latencies.figures(row.subject, 'round trip') : [])),
  };
}

// ---------------------------------------------------------------------------------------
// Memory: a million tasks through Spindle's pool.

function memoryCase(threads: number, sizes: Sizes): BenchCase {
  const n = sizes.memoryTasks;
  const rss: number[] = [];
  const push = async (driver: Driver): Promise<number> => {
    if (rss.length === 0) rss.push(process.memoryUsage.rss());
    let sum = 0;
    for (let done = 0; done < n; done += MEMORY_BATCH) {
      const batch: PromiseLike<number>[] = [];
      for (let i = done; i < Math.min(n, done + MEMORY_BATCH); i++) batch.push(driver.inc(i));
      for (const value of await Promise.all(batch)) sum += value;
    }
    rss.push(process.memoryUsage.rss());
    return sum;
  };
  const mib = (bytes: number): number => bytes / 2 ** 20;
  return {
    name: 'memory/1m-tasks',
    description: `resident set before and after pushing ${n.toLocaleString('en-US')} tiny tasks through the pool in batches of ${MEMORY_BATCH.toLocaleString('en-US')}, twice (${threads} threads)`,
    opsPerRun: n,
    op: 'task',
    expected: (n * (n + 1)) / 2,
    baseline: pool,
    timing: { rounds: 1, iterations: 1, warmupIterations: 0, warmupTime: 0, time: 0 },
    subjects: [spindlePool(pool, threads, `${n.toLocaleString('en-US')} tasks in awaited batches`, push)],
    figures: () => {
      const [before = Number.NaN, ...after] = rss;
      return [
        figure(pool, 'RSS before', mib(before), 'MiB', 1),
        ...after.map((value, index) => figure(pool, `RSS after ${((index + 1) * n).toLocaleString('en-US')} tasks`, mib(value), 'MiB', 1)),
        figure(pool, 'RSS growth, first → last pass', mib((after.at(-1) ?? Number.NaN) - (after[0] ?? Number.NaN)), 'MiB', after.length),
      ];
    },
  };
}

function buildCases(options: SuiteOptions): BenchCase[] {
  const sizes = options.quick ? quickSizes : fullSizes;
  const threads = options.threads;
  return [
    tinyCase(threads, sizes),
    imbalancedCase(threads, sizes),
    forkJoinCase(threads),
    overheadCase(threads, sizes),
    roundTripCase(threads, sizes),
    ...(sizes.memoryTasks > 0 ? [memoryCase(threads, sizes)] : []),
  ];
}

/**
 * @spindle/pool against piscina, tinypool and workerpool with the same thread count, in
 * the same run: tiny-task bursts, imbalanced work, nested fork–join, per-task overhead and
 * the distribution of one task's round trip.
 */
export const poolSuite: Suite = {
  name: 'pool',
  description:
    '@spindle/pool vs piscina, tinypool and workerpool (same threads, same run): tiny-task burst, imbalanced work, nested fork–join, per-task overhead, round-trip distribution, memory',
  packages: ['@spindle/core', '@spindle/pool', 'piscina', 'tinypool', 'workerpool'],
  cases: (options) => buildCases(options),
};
