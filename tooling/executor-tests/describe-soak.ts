// Soak (short version for CI), written once for every executor: many small tasks in batches in
// a child node process with --expose-gc (soak-child.mjs), memory sampled after GC; nothing is
// lost and memory levels off. How many tasks, how far memory may rise and how long the child
// may take are each executor's own (a pool with its workers is slower and has more resident
// memory than a loop on one thread). The long version (10,000,000 tasks) is `pnpm soak`.
//
// TypeScript that Vitest compiles when a test imports it; `vitest` and the linters come from
// the workspace root.
import { describe, expect, it } from 'vitest';
import { childScript, runNodeChild, summaryOf } from './run-node-child.js';

/** The JSON line soak-child.mjs prints (the fields the test judges). */
export interface SoakFigures {
  readonly tasks: number;
  readonly settled: number;
  readonly wrong: number;
  readonly lost: number;
  readonly gc: boolean;
  readonly rssEarlyMB: number;
  readonly rssLateMB: number;
  readonly heapEarlyMB: number;
  readonly heapLateMB: number;
  readonly samples: number;
}

/**
 * How far a late memory figure may sit above the early one (both means of samples after GC,
 * taken after warm-up): below `times` × early + `plusMB`.
 */
export interface GrowthBound {
  readonly times: number;
  readonly plusMB: number;
}

export interface SoakOptions {
  /** URL of a module whose default export makes the executor; the child imports it. */
  readonly factoryModule: URL;
  /** How many tasks the child pushes through. */
  readonly tasks: number;
  /** Bound on the heap in use: a leak that grows with the count must break it. */
  readonly heap: GrowthBound;
  /** Bound on resident memory (the workers' included, for executors that have them). */
  readonly rss: GrowthBound;
  /** The child is killed after this long, and the test fails. */
  readonly childTimeoutMs: number;
}

// soak-child.mjs aims at 40 samples; fewer than this means it sampled too rarely for the
// early and late means to say anything.
const MIN_SAMPLES = 8;
// Longer than the child's timeout, so that a hung child is killed (its stderr reported) before
// Vitest gives up on the test and leaves it running.
const TEST_MARGIN_MS = 10_000;

/** Registers the soak test for one executor. */
export function describeSoak(name: string, options: SoakOptions): void {
  const { factoryModule, tasks, heap, rss, childTimeoutMs } = options;

  describe(`${name} soak`, () => {
    it(
      `${tasks.toLocaleString('en')} small tasks in batches: every one settles once with its value, and memory levels off`,
      { timeout: childTimeoutMs + TEST_MARGIN_MS },
      async () => {
        const run = await runNodeChild(['--expose-gc'], childScript('soak-child.mjs'), [factoryModule.href, String(tasks)], childTimeoutMs);
        const figures = summaryOf(run) as SoakFigures;
        expect(figures.gc).toBe(true);
        expect(figures.settled).toBe(tasks);
        expect(figures.wrong).toBe(0);
        expect(figures.lost).toBe(0);
        expect(figures.samples).toBeGreaterThanOrEqual(MIN_SAMPLES);
        expect(figures.heapLateMB).toBeLessThan(figures.heapEarlyMB * heap.times + heap.plusMB);
        expect(figures.rssLateMB).toBeLessThan(figures.rssEarlyMB * rss.times + rss.plusMB);
      },
    );
  });
}
