import { TrampolineExecutor } from '@spindle/trampoline';
import type { BenchCase, CaseTiming, Subject, Suite, SuiteOptions } from '../suite.js';
import { spindleSubject } from '../suite.js';
import * as w from '../workloads/coroutines.js';
import type { TrampolineWorkloads } from '../workloads/trampoline-workloads.js';

/** Steps the leaf of the recursion takes. */
const LEAF_STEPS = 100;
const LINKS = 10;

/** Counts that set how long a run takes: yields in the one-task cases, concurrent tasks, children spawned and joined. */
interface Sizes {
  readonly yields: number;
  readonly tasks: number;
  readonly children: number;
}
const fullSizes: Sizes = { yields: 1_000_000, tasks: 10_000, children: 100_000 };
/**
 * Quick mode (CI smoke, under two minutes for every suite): a tenth of the work. Effection
 * spawning 100,000 children alone took ~50 s of a quick run on a loaded 2-core machine.
 * Figures are per operation, so they stay comparable, if rougher.
 */
const quickSizes: Sizes = { yields: 100_000, tasks: 1_000, children: 10_000 };

/** `100k`, `10k`, `1k`: the count in a case's name. */
const short = (count: number): string => (count >= 1000 ? `${String(count / 1000)}k` : String(count));

const trampoline = spindleSubject('@spindle/trampoline');

/** Runs that take up to a second (Effection's): fewer samples, same workload. */
const slowRuns: CaseTiming = { iterations: 3, warmupIterations: 1 };
/** Runs that take many seconds (Effection spawning 100,000 children): one short round. */
const verySlowRuns: CaseTiming = { rounds: 1, iterations: 2, warmupIterations: 0, warmupTime: 0 };

/**
 * Makes the Spindle subject of a case from what it runs: {@link onTrampoline} for this
 * suite; the idle-cost cases also make them on builds of core with and without event code.
 */
export type TrampolineSide = (runs: string, run: (executor: TrampolineExecutor, workloads: TrampolineWorkloads) => PromiseLike<number>) => Subject;

/** A trampoline subject: one executor for the whole case, as an application would keep one. */
const onTrampoline: TrampolineSide = (runs, run) => {
  let executor: TrampolineExecutor | undefined;
  return {
    subject: trampoline,
    runs,
    run: () => run((executor ??= new TrampolineExecutor({ label: `bench:${runs}` })), w.trampolineWorkloadsAsBuilt),
    dispose: () => executor?.close(),
  };
};

function recursionCase(depth: number, side: TrampolineSide): BenchCase {
  // Native recursion, co and Effection nest generators (or async calls) natively: at this
  // depth they may overflow the stack. That is reported as a failure, not a figure.
  const deep = depth >= 10_000;
  return {
    name: `recursion/depth-${depth}`,
    description: `a chain of yield* calls ${depth.toLocaleString('en-US')} deep whose leaf takes ${LEAF_STEPS} steps, each awaiting a resolved promise`,
    opsPerRun: 1,
    op: 'run',
    expected: depth + LEAF_STEPS,
    baseline: 'native',
    focus: trampoline,
    subjects: [
      { subject: 'native', runs: 'async fn awaiting its recursive call', run: () => w.nativeRecursion(depth, LEAF_STEPS), mayFail: deep },
      side('operation() recursion, `yield* node(d - 1)`', (ex, tw) => tw.recursion(ex, depth, LEAF_STEPS)),
      { subject: 'co', runs: 'co(), `yield* node(d - 1)`', run: () => w.coRecursion(depth, LEAF_STEPS), mayFail: deep },
      { subject: 'effection', runs: 'run(), `yield* node(d - 1)`', run: () => w.effectionRecursion(depth, LEAF_STEPS), mayFail: deep },
      { subject: 'effect', runs: 'Effect.gen, `yield* node(d - 1)`', run: () => w.effectRecursion(depth, LEAF_STEPS) },
    ],
  };
}

function buildCases({ yields: YIELDS, tasks: TASKS, children: CHILDREN }: Sizes, side: TrampolineSide): BenchCase[] {
  return [
    {
      name: 'await/resolved-promise',
      description: `${YIELDS.toLocaleString('en-US')} waits on an already-resolved promise in one task`,
      opsPerRun: YIELDS,
      op: 'yield',
      expected: YIELDS,
      baseline: 'native',
      focus: trampoline,
      timing: slowRuns,
      subjects: [
        { subject: 'native', runs: 'async fn, `await resolved`', run: () => w.nativeAwaits(YIELDS) },
        side('spawn(function*), `yield resolved`', (ex, tw) => tw.awaits(ex, YIELDS)),
        { subject: 'co', runs: 'co(function*), `yield resolved`', run: () => w.coAwaits(YIELDS) },
        { subject: 'effection', runs: 'run(), `yield* until(resolved)`', run: () => w.effectionAwaits(YIELDS) },
        { subject: 'effect', runs: 'Effect.gen, `yield* Effect.promise(() => resolved)`', run: () => w.effectAwaits(YIELDS) },
      ],
    },
    {
      name: 'await/fresh-promise',
      description: `${YIELDS.toLocaleString('en-US')} waits in one task, each on a fresh resolved promise (every wait parks the task and wakes it)`,
      opsPerRun: YIELDS,
      op: 'yield',
      expected: YIELDS,
      baseline: 'native',
      focus: trampoline,
      timing: slowRuns,
      subjects: [
        { subject: 'native', runs: 'async fn, `await Promise.resolve(1)`', run: () => w.nativeFreshAwaits(YIELDS) },
        side('spawn(function*), `yield Promise.resolve(1)`', (ex, tw) => tw.freshAwaits(ex, YIELDS)),
        { subject: 'co', runs: 'co(function*), `yield Promise.resolve(1)`', run: () => w.coFreshAwaits(YIELDS) },
        { subject: 'effection', runs: 'run(), `yield* until(Promise.resolve(1))`', run: () => w.effectionFreshAwaits(YIELDS) },
        { subject: 'effect', runs: 'Effect.gen, `yield* Effect.promise(() => Promise.resolve(1))`', run: () => w.effectFreshAwaits(YIELDS) },
      ],
    },
    {
      name: 'yield/sync-value',
      description: `${YIELDS.toLocaleString('en-US')} yields of a value that is already there, each library's synchronous way (co has none)`,
      opsPerRun: YIELDS,
      op: 'yield',
      expected: YIELDS,
      baseline: 'native',
      focus: trampoline,
      timing: slowRuns,
      subjects: [
        { subject: 'native', runs: 'async fn, `await 1` (still a microtask)', run: () => w.nativeAwaitsValue(YIELDS) },
        side('`yield* valueOf(1)`, an operation() that returns at once', (ex, tw) => tw.syncValues(ex, YIELDS)),
        { subject: 'effection', runs: 'run(), `yield* call(() => 1)`', run: () => w.effectionSyncValues(YIELDS) },
        { subject: 'effect', runs: 'Effect.gen, `yield* Effect.succeed(1)`', run: () => w.effectSyncValues(YIELDS) },
      ],
    },
    recursionCase(1_000, side),
    recursionCase(10_000, side),
    {
      name: `concurrent/${short(TASKS)}-tasks`,
      description: `${TASKS.toLocaleString('en-US')} concurrent tasks, each awaiting ${LINKS} fresh resolved promises in a row (no timers)`,
      opsPerRun: TASKS,
      op: 'task',
      expected: TASKS * LINKS,
      baseline: 'native',
      focus: trampoline,
      timing: slowRuns,
      subjects: [
        { subject: 'native', runs: 'Promise.all of async fns', run: () => w.nativeConcurrent(TASKS, LINKS) },
        side('run(all(ops)), each `yield* until(promise)`', (ex, tw) => tw.concurrent(ex, TASKS, LINKS)),
        { subject: 'co', runs: 'Promise.all of co(function*)', run: () => w.coConcurrent(TASKS, LINKS) },
        { subject: 'effection', runs: 'run(() => all(ops))', run: () => w.effectionConcurrent(TASKS, LINKS) },
        { subject: 'effect', runs: "Effect.all(effects, { concurrency: 'unbounded' })", run: () => w.effectConcurrent(TASKS, LINKS) },
      ],
    },
    {
      name: `spawn-join/${short(CHILDREN)}-children`,
      description: `one task spawns ${CHILDREN.toLocaleString('en-US')} children (each returns at once) and joins them all`,
      opsPerRun: CHILDREN,
      op: 'child',
      expected: CHILDREN,
      baseline: 'native',
      focus: trampoline,
      timing: verySlowRuns,
      subjects: [
        { subject: 'native', runs: 'call async fns, then await each', run: () => w.nativeSpawnJoin(CHILDREN) },
        side('`yield* spawn(child())`, then `yield* join(handle)`', (ex, tw) => tw.spawnJoin(ex, CHILDREN)),
        { subject: 'co', runs: 'co(child) each, then `yield promise`', run: () => w.coSpawnJoin(CHILDREN) },
        { subject: 'effection', runs: '`yield* spawn(child)`, then `yield* task`', run: () => w.effectionSpawnJoin(CHILDREN) },
        { subject: 'effect', runs: '`yield* Effect.forkChild(child)`, then `yield* Fiber.join(fiber)`', run: () => w.effectSpawnJoin(CHILDREN) },
      ],
    },
  ];
}

/**
 * Generator coroutines: @spindle/trampoline against co, Effection and Effect.gen, with
 * native async/await as the baseline, on the workloads of the trampoline issue.
 */
export const trampolineSuite: Suite = {
  name: 'trampoline',
  description:
    '@spindle/trampoline vs co, Effection, Effect.gen and native async/await: resolved waits, fresh waits, synchronous yields, deep yield* recursion, concurrent tasks, spawn/join',
  packages: ['@spindle/core', '@spindle/trampoline', 'co', 'effection', 'effect'],
  cases: (options) => trampolineCases(options, onTrampoline),
};

/** The suite's cases, with the Spindle subject of each made by `side`. */
export function trampolineCases(options: SuiteOptions, side: TrampolineSide): BenchCase[] {
  return buildCases(options.quick ? quickSizes : fullSizes, side);
}
