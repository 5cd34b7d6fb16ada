import { describe, expect, it } from 'vitest';
import { TaskCancelledError, taskRef } from '@spindle/core';
import type { TaskHandle } from '@spindle/core';
import { PoolExecutor, WorkerCrashedError } from '../dist/index.js';

const fixtures = new URL('./stress-fixtures.mjs', import.meta.url);
const tree = taskRef(fixtures, 'tree');
const crash = taskRef(fixtures, 'crash');
const inc = taskRef(fixtures, 'inc');

interface FixtureModule {
  readonly expectedTree: (id: number, depth: number) => number;
}

const perRoot = 1 << 14;

describe('pool under stress', () => {
  it('random trees of children on 8 workers, with steals, cancellations and worker crashes: every task settles once, every result is right', async () => {
    const fixtureModule = (await import(fixtures.href)) as FixtureModule;
    const pool = new PoolExecutor({ threads: 8, dequeCapacity: 8 });
    const roots = 120;
    const depth = 6;
    const runs = new Int32Array(new SharedArrayBuffer(roots * perRoot * 4));
    const handles: TaskHandle<unknown>[] = [];
    const crashes: TaskHandle<unknown>[] = [];
    for (let r = 0; r < roots; r++) {
      handles.push(pool.spawn(tree, [runs, r * perRoot, r % 3, depth] as never));
      if (r % 30 === 15) crashes.push(pool.spawn(crash, [r % 60 === 15 ? 'exit' : 'throw'] as never));
    }
    const cancelled = new Set<number>();
    for (let r = 3; r < roots; r += 11) {
      handles[r]?.cancel(new Error('cancelled by the stress test'));
      cancelled.add(r);
    }
    const settled = Promise.allSettled(handles);
    const crashesSettled = Promise.allSettled(crashes);
    const outcomes = await settled;
    const crashOutcomes = await crashesSettled;
    let fulfilled = 0;
    outcomes.forEach((outcome, r) => {
      if (outcome.status === 'fulfilled') {
        fulfilled++;
        expect(outcome.value, `root ${r}`).toBe(fixtureModule.expectedTree(r % 3, depth));
      } else if (cancelled.has(r)) {
        expect(outcome.reason).toBeInstanceOf(TaskCancelledError);
      } else {
        // Only a crash may fail a root that was not cancelled.
        expect(outcome.reason, `root ${r}`).toBeInstanceOf(WorkerCrashedError);
      }
    });
    for (const outcome of crashOutcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(WorkerCrashedError);
    }
    // Nothing ran twice.
    let twice = 0;
    for (const count of runs) if (count > 1) twice++;
    expect(twice).toBe(0);
    expect(fulfilled).toBeGreaterThan(roots / 2);
    // Several crash tasks may have shared a worker (one death rejects them all).
    expect(pool.stats.crashes).toBeGreaterThanOrEqual(1);
    expect(pool.stats.crashes).toBeLessThanOrEqual(crashes.length);
    // The pool still works after its workers were replaced.
    expect(await pool.spawn(inc, [41] as never)).toBe(42);
    await pool.close();
  });

  it('a crashed worker is replaced and the task it ran rejects with WorkerCrashedError naming the worker', async () => {
    const pool = new PoolExecutor({ threads: 2 });
    const error = await pool.spawn(crash, ['exit'] as never).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).worker).toBeGreaterThanOrEqual(0);
    expect((error as Error).message).toContain('code 7');
    expect(await pool.spawn(inc, [1] as never)).toBe(2);
    await pool.close();
  });
});

describe('work stealing', () => {
  it('children a task spawns onto its own deque are stolen by idle workers, without the main thread', async () => {
    // One root: every other task is a child in the root's worker's deque, so any work the
    // other workers do, they stole. 64 children of 5 ms leave them plenty of chances.
    const pool = new PoolExecutor({ threads: 8 });
    await pool.ready();
    for (let round = 0; round < 5; round++) expect(await pool.spawn(taskRef(fixtures, 'busyFanOut'), [64, 5] as never)).toBe(64);
    expect(pool.stats.steals).toBeGreaterThan(0);
    await pool.close();
  });
});

describe('park and wake', () => {
  it('2,000 rounds of one task into an idle 8-worker pool: each wakes a parked worker (a lost wake-up hangs here)', async () => {
    const pool = new PoolExecutor({ threads: 8 });
    for (let i = 0; i < 2_000; i++) expect(await pool.spawn(inc, [i] as never)).toBe(i + 1);
    await pool.close();
  });

  it('bursts from inside workers wake sleeping peers: children spawned while the others sleep all run', async () => {
    const pool = new PoolExecutor({ threads: 8, dequeCapacity: 4 });
    const runs = new Int32Array(new SharedArrayBuffer(perRoot * 4));
    const fixtureModule = (await import(fixtures.href)) as FixtureModule;
    for (let i = 0; i < 50; i++) expect(await pool.spawn(tree, [runs.fill(0), 0, 7, 4] as never)).toBe(fixtureModule.expectedTree(7, 4));
    await pool.close();
  });
});
