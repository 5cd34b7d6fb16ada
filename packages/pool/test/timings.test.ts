// The pool's waitTime and runTime figures. The bounds asserted are logical, not speeds: a
// task that cannot start until the gate opens waited at least until then; a body that works
// until its clock says 20 ms have passed ran at least 20 ms.
import { afterEach, describe, expect, it } from 'vitest';
import { taskRef } from '@spindle/core';
import type { TimingSummary } from '@spindle/core/kit';
import { PoolExecutor } from '../dist/index.js';
import { Gate, gateFixtures, hold, installGate, order } from './gate.js';
import type { Body } from './gate.js';

const busy = taskRef<Body<[number], number>>(gateFixtures, 'busy');
const fails = taskRef<Body<[], never>>(gateFixtures, 'fails');

/** The clock the pool times with (epoch ms, the same on every thread). */
const now = (): number => performance.timeOrigin + performance.now();

function expectConsistent(summary: TimingSummary): void {
  expect(summary.p50).toBeLessThanOrEqual(summary.p90);
  expect(summary.p90).toBeLessThanOrEqual(summary.p99);
  expect(summary.p99).toBeLessThanOrEqual(summary.max);
  expect(summary.mean).toBeLessThanOrEqual(summary.max);
  expect(summary.p50).toBeGreaterThanOrEqual(0);
}

let pool: PoolExecutor | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('pool timing figures', () => {
  it('are empty before any task ran', () => {
    pool = new PoolExecutor({ threads: 1 });
    const empty = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    expect(pool.stats.waitTime).toEqual(empty);
    expect(pool.stats.runTime).toEqual(empty);
  });

  it('runTime covers the body: tasks that work 20 ms ran at least 20 ms each; failures count, tasks cancelled before they start do not', async () => {
    pool = new PoolExecutor({ threads: 2 });
    await Promise.all([pool.spawn(busy, [20]), pool.spawn(busy, [20]), pool.spawn(busy, [20])]);
    await expect(pool.spawn(fails, [])).rejects.toThrow('fails on purpose');
    const cancelled = pool.spawn(busy, [1], { signal: AbortSignal.abort() });
    await expect(cancelled).rejects.toThrow();
    const { runTime, waitTime } = pool.stats;
    expect(runTime.count).toBe(4);
    expect(waitTime.count).toBe(4);
    // The three busy tasks are the slowest three of four: p50 is one of them.
    expect(runTime.p50).toBeGreaterThanOrEqual(20);
    expect(runTime.max).toBeGreaterThanOrEqual(20);
    expectConsistent(runTime);
    expectConsistent(waitTime);
  });

  it('waitTime runs from spawn to the start in a worker: a task queued behind a held worker waited at least until the gate opened', async () => {
    const gate = new Gate();
    pool = new PoolExecutor({ threads: 1 });
    await pool.spawn(installGate, [gate.memory]);
    const holding = pool.spawn(hold, []);
    await gate.held(1);
    const queued = pool.spawn(order, []);
    const spawnedBy = now();
    // The main thread works 20 ms while the worker holds: the queued task cannot start meanwhile.
    while (now() - spawnedBy < 20);
    const openedAt = now();
    gate.open();
    await Promise.all([holding, queued]);
    const { waitTime, runTime } = pool.stats;
    expect(waitTime.count).toBe(3);
    expect(waitTime.max).toBeGreaterThanOrEqual(openedAt - spawnedBy);
    // The hold ran at least until the gate opened.
    expect(runTime.max).toBeGreaterThanOrEqual(openedAt - spawnedBy);
  });

  it('times every one of the first 64 tasks, then one in 8, over a window of the latest 1,024', async () => {
    const made = (pool = new PoolExecutor({ threads: 2 }));
    const run = (n: number): Promise<number[]> => Promise.all(Array.from({ length: n }, () => made.spawn(order, [])));
    await run(50);
    expect(made.stats.runTime.count).toBe(50);
    await run(200);
    // Tasks 1..64, then 72, 80, ..., 248.
    expect(made.stats.runTime.count).toBe(64 + 23);
    expect(made.stats.waitTime.count).toBe(64 + 23);
    await run(10_000);
    expect(made.stats.runTime.count).toBe(1024);
  });
});
