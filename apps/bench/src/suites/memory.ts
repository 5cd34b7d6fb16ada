import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RoundRobinExecutor } from '@spindle/round-robin';
import { TrampolineExecutor } from '@spindle/trampoline';
import type { BenchCase, Figure, Subject, Suite, SuiteOptions } from '../suite.js';
import { spindleSubject } from '../suite.js';
import type { Parked } from '../workloads/parked.js';
import { parkCo, parkEffect, parkNative, parkRoundRobin, parkTrampoline } from '../workloads/parked.js';

/** Tasks parked at once: the full run's, and the quick run's. */
const FULL = 100_000;
const QUICK = 10_000;

let collect: (() => void) | undefined;

/** Heap in use after a full collection (twice: the first may leave finalisable garbage). */
function settledHeap(): number {
  // Without --expose-gc, this is how a running process gets `gc` (the flag must be set
  // before a new context looks it up); only when this suite runs.
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

/** Turns of the event loop a case may take to park its tasks before the suite gives up. */
const MOST_TURNS = 100_000;

/**
 * Lets every started task reach its park: a spawn's first step runs in a microtask or an
 * immediate, and an executor steps a backlog of 100,000 first steps over many time slices
 * (one per turn of the event loop), so it waits until `parked()` says so.
 * @throws Error when the tasks have not parked within {@link MOST_TURNS} turns
 */
async function parkedNow(parked: () => boolean): Promise<void> {
  for (let turn = 0; turn < MOST_TURNS; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (parked()) return;
  }
  throw new Error(`bench memory: tasks still not parked after ${String(MOST_TURNS)} turns of the event loop`);
}

const always = (): boolean => true;

/** A case's runs as subjects: each parks `count` tasks, and its first run (the runner's check) also weighs them. */
function parkingSubject(
  subject: string,
  runs: string,
  count: number,
  park: (gate: Promise<number>) => Parked,
  weights: Map<string, number>,
  dispose?: () => Promise<void>,
  allParked: () => boolean = always,
): Subject {
  return {
    subject,
    runs,
    run: async () => {
      let resolve: (value: number) => void = () => undefined;
      const gate = new Promise<number>((settle) => {
        resolve = settle;
      });
      const weigh = !weights.has(subject);
      const before = weigh ? settledHeap() : 0;
      const parked = park(gate);
      await parkedNow(allParked);
      if (weigh) weights.set(subject, (settledHeap() - before) / count);
      resolve(1);
      return parked.join();
    },
    ...(dispose === undefined ? {} : { dispose }),
  };
}

function parkedCase(count: number): BenchCase {
  const weights = new Map<string, number>();
  let trampoline: TrampolineExecutor | undefined;
  let roundRobin: RoundRobinExecutor | undefined;
  const short = `${String(count / 1000)}k`;
  return {
    name: `memory/${short}-parked`,
    description: `${count.toLocaleString('en-US')} tasks each parked on one pending promise: heap per parked task after a full GC (first run), then time to park, wake and join them all`,
    opsPerRun: count,
    op: 'task',
    expected: count,
    baseline: 'native',
    timing: { rounds: 1, iterations: 4, warmupIterations: 1, warmupTime: 0 },
    subjects: [
      parkingSubject('native', 'async fn, `await gate`', count, (gate) => parkNative(count, gate), weights),
      parkingSubject(
        spindleSubject('@spindle/trampoline'),
        'spawn(function*), `yield gate`',
        count,
        (gate) => parkTrampoline((trampoline ??= new TrampolineExecutor({ label: 'bench:parked' })), count, gate),
        weights,
        () => trampoline?.close() ?? Promise.resolve(),
        () => trampoline?.stats.ready === 0,
      ),
      parkingSubject(
        spindleSubject('@spindle/round-robin'),
        'spawn(async fn), `await gate`',
        count,
        (gate) => parkRoundRobin((roundRobin ??= new RoundRobinExecutor({ label: 'bench:parked' })), count, gate),
        weights,
        () => roundRobin?.close() ?? Promise.resolve(),
        () => roundRobin?.stats.ready === 0,
      ),
      parkingSubject('co', 'co(function*), `yield gate`', count, (gate) => parkCo(count, gate), weights),
      parkingSubject('effect', 'Effect.runFork(Effect.gen), `yield* Effect.promise(() => gate)`', count, (gate) => parkEffect(count, gate), weights),
    ],
    figures: (): Figure[] =>
      [...weights].map(([subject, bytes]) => ({ subject, metric: 'heap per parked task', median: bytes, unit: 'B', samples: count })),
  };
}

/**
 * Memory per parked task: Spindle's single-thread executors beside native async functions,
 * co and Effect, the per-task cost issue's measure of what a waiting task holds.
 */
export const memorySuite: Suite = {
  name: 'memory',
  description: 'heap held per task parked on a pending promise: @spindle/trampoline and @spindle/round-robin vs native async/await, co and Effect',
  packages: ['@spindle/core', '@spindle/trampoline', '@spindle/round-robin', 'co', 'effect'],
  cases: (options: SuiteOptions) => [parkedCase(options.quick ? QUICK : FULL)],
};
