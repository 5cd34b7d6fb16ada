// The pool's priority rule: a task spawned from the main thread starts before every task of
// a lower priority spawned earlier that has not started, wherever that one waits (the main
// thread's queue, the inject queue, a worker's deque, a message to a worker). Orders are
// read on one worker, held at a gate while the tasks queue up behind it, so that they are
// exact; the stress test runs four workers with steals.
import { afterEach, describe, expect, it } from 'vitest';
import { TaskCancelledError, taskRef } from '@spindle/core';
import type { SpawnOptions, TaskHandle } from '@spindle/core';
import { PoolExecutor } from '../dist/index.js';
import { Gate, gateFixtures, hold, installGate, order } from './gate.js';
import type { Body } from './gate.js';

const fixtures = gateFixtures;

let pool: PoolExecutor | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

/** A one-worker pool whose worker holds `gate`, and the spawning helper the tests use. */
async function oneWorker(gate: Gate, slots?: number): Promise<{ pool: PoolExecutor; spawn: (count: number, priority?: number, args?: unknown[]) => TaskHandle<number>[] }> {
  const made = new PoolExecutor(slots === undefined ? { threads: 1 } : { threads: 1, slots });
  pool = made;
  await made.spawn(installGate, [gate.memory]);
  const spawn = (count: number, priority?: number, args: unknown[] = []): TaskHandle<number>[] => {
    const options: SpawnOptions | undefined = priority === undefined ? undefined : { priority };
    return Array.from({ length: count }, () => made.spawn(order, args, options));
  };
  return { pool: made, spawn };
}

/** Lets the main thread hand what it accepted to the workers (a microtask after a burst of spawns). */
const handedOver = (): Promise<void> => Promise.resolve();

describe('pool priorities: the order tasks start in', () => {
  it('higher first, FIFO within a priority, across the inject queue (priority 0) and the priority queue (any other)', async () => {
    const gate = new Gate();
    const { pool, spawn } = await oneWorker(gate);
    const holding = pool.spawn(hold, []);
    await gate.held(1);
    const zeros = spawn(20);
    const negatives = spawn(10, -1);
    const twos = spawn(5, 2);
    const ones = spawn(5, 1);
    const between = spawn(1, 1.5);
    await handedOver();
    expect(pool.stats.queued).toBe(41);
    gate.open();
    const first = (await holding) + 1;
    const expected = [...twos, ...between, ...ones, ...zeros, ...negatives];
    const places = await Promise.all(expected);
    expect(places).toEqual(places.map((_, i) => first + i));
    expect(pool.stats.executed).toBe(43);
  });

  it('a task of a higher priority starts before lower ones already taken into a worker’s deque', async () => {
    const gate = new Gate();
    const { pool, spawn } = await oneWorker(gate);
    // In one burst: the worker takes them all from the inject queue at once, starts the
    // first (the hold) and keeps the rest on its deque.
    const holding = pool.spawn(hold, []);
    const lows = spawn(30);
    await gate.held(1);
    expect(pool.stats.queued).toBe(0);
    const highs = spawn(3, 1);
    await handedOver();
    gate.open();
    await holding;
    const highPlaces = await Promise.all(highs);
    const lowPlaces = await Promise.all(lows);
    expect(Math.max(...highPlaces)).toBeLessThan(Math.min(...lowPlaces));
    // Within a priority, FIFO.
    expect(highPlaces).toEqual([...highPlaces].sort((a, b) => a - b));
    expect(lowPlaces).toEqual([...lowPlaces].sort((a, b) => a - b));
  });

  it('children inherit their parent’s priority; a task of the main thread at the default 0 starts before waiting children of priority -1', async () => {
    const gate = new Gate();
    const { pool, spawn } = await oneWorker(gate);
    // The root spawns ten children and a hold onto its worker's deque; the hold (newest) runs first.
    const root = pool.spawn(taskRef<Body<[number], { places: number[]; priorities: number[] }>>(fixtures, 'fanOut'), [10], { priority: -1 });
    await gate.held(1);
    const mains = spawn(3);
    await handedOver();
    gate.open();
    const { places, priorities } = await root;
    expect(priorities).toEqual(Array.from({ length: 11 }, () => -1));
    const mainPlaces = await Promise.all(mains);
    expect(Math.max(...mainPlaces)).toBeLessThan(Math.min(...places.slice(0, 10)));
  });

  it('tasks posted to a worker by message (they hold shared memory) start in priority order among the others', async () => {
    const gate = new Gate();
    const { pool, spawn } = await oneWorker(gate);
    const holding = pool.spawn(hold, []);
    await gate.held(1);
    const pinned = [new SharedArrayBuffer(4)];
    const postedLow = spawn(4, 0, pinned);
    const sharedMiddle = spawn(2, 1);
    const postedHigh = spawn(2, 2, pinned);
    const sharedLow = spawn(2);
    await handedOver();
    gate.open();
    await holding;
    const high = await Promise.all(postedHigh);
    const middle = await Promise.all(sharedMiddle);
    const low = [...(await Promise.all(postedLow)), ...(await Promise.all(sharedLow))];
    expect(Math.max(...high)).toBeLessThan(Math.min(...middle));
    expect(Math.max(...middle)).toBeLessThan(Math.min(...low));
  });

  it('when every slot is taken, tasks wait on the main thread and leave it highest priority first', async () => {
    const gate = new Gate();
    const { pool, spawn } = await oneWorker(gate, 16);
    const holding = pool.spawn(hold, []);
    await gate.held(1);
    // At most 15 of these find a slot; the rest wait on the main thread.
    const lows = spawn(40);
    const highs = spawn(3, 1);
    await handedOver();
    gate.open();
    await holding;
    const highPlaces = await Promise.all(highs);
    const waitingLows = (await Promise.all(lows)).slice(16);
    expect(Math.max(...highPlaces)).toBeLessThan(Math.min(...waitingLows));
  });

  it('a child’s priority is inherited through shared memory and can be given', async () => {
    pool = new PoolExecutor({ threads: 2 });
    const childPriorities = taskRef<Body<[number], number[]>>(fixtures, 'childPriorities');
    const handle = pool.spawn(childPriorities, [7], { priority: 3 });
    expect(handle.priority).toBe(3);
    expect(await handle).toEqual([3, 3, 7, 7]);
    expect(await pool.spawn(childPriorities, [-2])).toEqual([0, 0, -2, -2]);
  });

  it('declares the capability', () => {
    pool = new PoolExecutor({ threads: 1 });
    expect(pool.capabilities.priorities).toBe(true);
  });
});

describe('pool priorities under stress', () => {
  it('mixed priorities, fan-outs, spills, steals and cancellations on 4 workers: every task runs at most once, every one that settles fulfilled ran exactly once', async () => {
    const made = new PoolExecutor({ threads: 4, dequeCapacity: 8 });
    pool = made;
    await made.ready();
    const tasks = 20_000;
    const memory = new SharedArrayBuffer(tasks * 4);
    const counts = new Int32Array(memory);
    // One install per worker: tasks holding shared memory run where they are posted, in turn.
    const installCounts = taskRef<Body<[SharedArrayBuffer], number>>(fixtures, 'installCounts');
    const count = taskRef<Body<[number, number], number>>(fixtures, 'count');
    const fan = taskRef<Body<[number, number, number], number>>(fixtures, 'fan');
    const threads = await Promise.all(Array.from({ length: 4 }, () => made.spawn(installCounts, [memory])));
    expect(new Set(threads).size).toBe(4);
    const priorities = [-2, -1, 0, 0, 0.5, 1, 2];
    const singles: { id: number; handle: TaskHandle<number> }[] = [];
    const fans: { id: number; n: number; handle: TaskHandle<number> }[] = [];
    let next = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 1_500; i++) {
        const id = next++;
        const handle = made.spawn(count, [id, 5], { priority: priorities[i % priorities.length] ?? 0 });
        singles.push({ id, handle });
        if (i % 13 === 0) handle.cancel(new Error('cancelled by the stress test'));
      }
      for (let i = 0; i < 12; i++) {
        const n = i % 4 === 0 ? 48 : 12;
        const id = next;
        next += n + 1;
        fans.push({ id, n, handle: made.spawn(fan, [id, n, i % 4 === 0 ? 400 : 20], { priority: (i % 3) - 1 }) });
      }
      await Promise.allSettled([...singles.map((s) => s.handle), ...fans.map((f) => f.handle)]);
    }
    expect(next).toBeLessThan(tasks);
    let cancelled = 0;
    for (const { id, handle } of singles) {
      const [result] = await Promise.allSettled([handle]);
      if (result.status === 'fulfilled') {
        expect(result.value).toBe(id);
        expect(counts[id], `task ${id}`).toBe(1);
      } else {
        expect(result.reason).toBeInstanceOf(TaskCancelledError);
        cancelled++;
        expect(counts[id], `cancelled task ${id}`).toBeLessThanOrEqual(1);
      }
    }
    expect(cancelled).toBeGreaterThan(0);
    for (const { id, n, handle } of fans) {
      let sum = 0;
      for (let k = 0; k <= n; k++) {
        expect(counts[id + k], `fan task ${id + k}`).toBe(1);
        sum += id + k;
      }
      expect(await handle).toBe(sum);
    }
    for (let id = 0; id < next; id++) expect(counts[id] ?? 0).toBeLessThanOrEqual(1);
    expect(made.stats.steals).toBeGreaterThan(0);
  });
});
