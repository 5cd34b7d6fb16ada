import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { taskRef } from '@spindle/core';
import { PoolExecutor, poolChannelNames } from '../dist/index.js';
import type { PoolGrowEvent, PoolRetireEvent } from '../dist/index.js';

const fixtures = new URL('./growth-fixtures.mjs', import.meta.url);
const block = taskRef(fixtures, 'block');
const inc = taskRef(fixtures, 'inc');

/** Collects the pool's growth and retirement events, and lets a test await the next one. */
class Events {
  readonly grow: PoolGrowEvent[] = [];
  readonly retire: PoolRetireEvent[] = [];
  private waiters: { kind: 'grow' | 'retire'; count: number; resolve: () => void }[] = [];
  private readonly onGrow = (message: unknown): void => {
    this.grow.push(message as PoolGrowEvent);
    this.check();
  };
  private readonly onRetire = (message: unknown): void => {
    this.retire.push(message as PoolRetireEvent);
    this.check();
  };

  constructor() {
    subscribe(poolChannelNames.grow, this.onGrow);
    subscribe(poolChannelNames.retire, this.onRetire);
  }

  /** Resolves once `count` events of `kind` have been seen. */
  until(kind: 'grow' | 'retire', count: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ kind, count, resolve });
      this.check();
    });
  }

  dispose(): void {
    unsubscribe(poolChannelNames.grow, this.onGrow);
    unsubscribe(poolChannelNames.retire, this.onRetire);
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this[w.kind].length < w.count) return true;
      w.resolve();
      return false;
    });
  }
}

/** Resolves once `count` blocking tasks have started (they count themselves in `word[1]`). */
async function blockedCount(word: SharedArrayBuffer, count: number): Promise<void> {
  const view = new Int32Array(word);
  for (let seen = Atomics.load(view, 1); seen < count; seen = Atomics.load(view, 1)) {
    const waiting = Atomics.waitAsync(view, 1, seen);
    if (waiting.async) await waiting.value;
  }
}

function release(word: SharedArrayBuffer): void {
  const view = new Int32Array(word);
  Atomics.store(view, 0, 1);
  Atomics.notify(view, 0);
}

let events: Events | undefined;
afterEach(() => {
  events?.dispose();
  events = undefined;
});

describe('pool growth between minThreads and maxThreads', () => {
  it('adds a worker when every worker is blocked and work waits, and says so with cause starvation', async () => {
    events = new Events();
    const pool = new PoolExecutor({ minThreads: 1, maxThreads: 2, growAfter: 50, idleTimeout: 60_000 });
    await pool.ready();
    expect(pool.stats.threads).toBe(1);
    const word = new SharedArrayBuffer(8);
    // Passed by message (it holds shared memory), so it runs on the only worker and blocks it.
    const blocked = pool.spawn(block, [word, 'released'] as never);
    await blockedCount(word, 1);
    const queued = pool.spawn(inc, [41] as never);
    // The queued task can only run on a worker the pool adds.
    expect(await queued).toBe(42);
    await events.until('grow', 1);
    const [grown] = events.grow;
    expect(grown).toMatchObject({ pool: pool.label, cause: 'starvation', threads: 2 });
    expect(grown?.waitedMs).toBeGreaterThanOrEqual(50);
    expect(pool.stats.threads).toBe(2);
    release(word);
    expect(await blocked).toBe('released');
    // At maxThreads: no more growth, however long work is blocked.
    expect(events.grow).toHaveLength(1);
    await pool.close();
  });

  it('does not grow while workers make progress', async () => {
    events = new Events();
    // growAfter well above any pause a busy shared machine may give one thread.
    const pool = new PoolExecutor({ minThreads: 1, maxThreads: 2, growAfter: 2_000, idleTimeout: 60_000 });
    const all = Array.from({ length: 2_000 }, (_, i) => pool.spawn(inc, [i] as never));
    const values = await Promise.all(all);
    expect(values[1_999]).toBe(2_000);
    expect(events.grow).toHaveLength(0);
    expect(pool.stats.threads).toBe(1);
    await pool.close();
  });

  it('retires an idle worker after idleTimeout, never below minThreads', async () => {
    events = new Events();
    const pool = new PoolExecutor({ minThreads: 1, maxThreads: 3, growAfter: 20, idleTimeout: 50 });
    await pool.ready();
    const word = new SharedArrayBuffer(8);
    // Block worker 0, then worker 1 once the pool grows (each blocking task is pinned to
    // the worker it is posted to, and the pool posts round the workers it has).
    const first = pool.spawn(block, [word, 1] as never);
    await blockedCount(word, 1);
    const queued = [pool.spawn(inc, [1] as never)];
    await events.until('grow', 1);
    expect(await queued[0]).toBe(2);
    const second = pool.spawn(block, [word, 2] as never);
    await blockedCount(word, 2);
    queued.push(pool.spawn(inc, [2] as never));
    await events.until('grow', 2);
    expect(await Promise.all(queued)).toEqual([2, 3]);
    expect(pool.stats.threads).toBe(3);
    release(word);
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    await events.until('retire', 2);
    for (const event of events.retire) {
      expect(event).toMatchObject({ pool: pool.label, cause: 'idle-timeout', idleTimeout: 50 });
      expect(event.threads).toBeGreaterThanOrEqual(1);
    }
    expect(events.retire.map((e) => e.threads).sort()).toEqual([1, 2]);
    expect(pool.stats.threads).toBe(1);
    // The last worker stays, however long it idles: run work on it after several timeouts.
    // (Waiting here checks that nothing happens, so it is a bounded wait, not a synchronisation.)
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events.retire).toHaveLength(2);
    expect(pool.stats.threads).toBe(1);
    expect(await pool.spawn(inc, [9] as never)).toBe(10);
    await pool.close();
  });

  it('with minThreads 0, the last worker retires and new work starts one again', async () => {
    events = new Events();
    const pool = new PoolExecutor({ minThreads: 0, maxThreads: 2, idleTimeout: 30 });
    expect(await pool.spawn(inc, [1] as never)).toBe(2);
    await events.until('retire', 1);
    expect(pool.stats.threads).toBe(0);
    expect(await pool.spawn(inc, [2] as never)).toBe(3);
    expect(events.grow[0]).toMatchObject({ cause: 'no-worker', threads: 1 });
    await pool.close();
  });
});
