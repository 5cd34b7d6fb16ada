// Load and backpressure: sustained bursts of spawns far above `maxQueue` on an
// oversubscribed pool (8 workers, whatever the cores). With `onFull: 'reject'` every refused
// spawn throws QueueFullError at the call and every accepted task settles once with its own
// result; with `onFull: 'wait'` a producer that paces itself on whenQueueBelowMax() never
// sees more than `maxQueue` tasks waiting, and every task runs exactly once.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TaskCancelledError, taskRef } from '@spindle/core';
import type { TaskContext, TaskHandle } from '@spindle/core';
import { PoolExecutor, QueueFullError } from '../dist/index.js';

const work = taskRef<(ctx: TaskContext, n: number, spins: number) => number>(new URL('./load-fixtures.mjs', import.meta.url), 'work');
/** Tens of microseconds of CPU per task: slower than a spawn, so the queue fills. */
const spins = 20_000;
const maxQueue = 256;
const threads = 8;
const cancelReason = new Error('cancelled by the load test');

/** Tracks every accepted task: how often its handle settled, and with what. */
class Ledger {
  readonly handles: TaskHandle<unknown>[] = [];
  /** Tasks that settled as cancelled (only those the test cancelled may). */
  cancelled = 0;
  private readonly settles = new Map<number, number>();
  private readonly wrong: string[] = [];

  accept(id: number, handle: TaskHandle<unknown>): void {
    this.handles.push(handle);
    this.settles.set(id, 0);
    handle.then(
      (value) => {
        this.settles.set(id, (this.settles.get(id) ?? 0) + 1);
        if (value !== 2 * id + 1) this.wrong.push(`task ${id} returned ${String(value)}`);
      },
      (error: unknown) => {
        this.settles.set(id, (this.settles.get(id) ?? 0) + 1);
        if (error instanceof TaskCancelledError && error.cause === cancelReason) this.cancelled++;
        else this.wrong.push(`task ${id} failed: ${String(error)}`);
      },
    );
  }

  get accepted(): number {
    return this.settles.size;
  }

  /** Waits for every accepted task, then lists whatever went wrong (empty: all settled once, right). */
  async problems(): Promise<string[]> {
    await Promise.allSettled(this.handles);
    // One more turn, so that the ledger's own callbacks (queued after the settlement) have run.
    await nextTurn();
    const settledOtherThanOnce = [...this.settles].filter(([, times]) => times !== 1).map(([id, times]) => `task ${id} settled ${times} times`);
    return [...this.wrong, ...settledOtherThanOnce].slice(0, 10);
  }
}

/** Spawns task `id` and records it, or returns the error spawn threw. */
function spawnInto(pool: PoolExecutor, ledger: Ledger, id: number): unknown {
  try {
    ledger.accept(id, pool.spawn(work, [id, spins]));
    return undefined;
  } catch (error) {
    return error;
  }
}

/** A paced producer: waits while the queue is full (re-checking after each wake, as other producers may have filled it), then spawns. */
async function pacedProducer(pool: PoolExecutor, ledger: Ledger, ids: readonly number[], sample: (queued: number) => void, errors: unknown[]): Promise<number> {
  let waits = 0;
  for (const id of ids) {
    while (pool.stats.queued >= maxQueue) {
      waits++;
      await pool.whenQueueBelowMax();
    }
    const error = spawnInto(pool, ledger, id);
    if (error !== undefined) errors.push(error);
    sample(pool.stats.queued);
  }
  return waits;
}

describe('pool under sustained load above maxQueue', () => {
  it(`onFull 'reject': 4 rounds of 25 bursts of 1,000 spawns on ${threads} workers; each refusal throws QueueFullError at the call, each accepted task settles once with its result`, async () => {
    const pool = new PoolExecutor({ threads, maxQueue, onFull: 'reject' });
    await pool.ready();
    const ledger = new Ledger();
    const rounds = 4;
    const bursts = 25;
    const burst = 1_000;
    let id = 0;
    let rejected = 0;
    let maxQueued = 0;
    const wrongErrors: unknown[] = [];
    for (let round = 0; round < rounds; round++) {
      for (let b = 0; b < bursts; b++) {
        for (let i = 0; i < burst; i++) {
          const error = spawnInto(pool, ledger, id++);
          if (error === undefined) maxQueued = Math.max(maxQueued, pool.stats.queued);
          else if (error instanceof QueueFullError && error.maxQueue === maxQueue) rejected++;
          else wrongErrors.push(error);
        }
        // One turn of the event loop between bursts: results come back and the queue drains
        // a little, so that later bursts are partly accepted.
        await nextTurn();
      }
      // Each round ends with every accepted task settled, so that the next starts empty.
      await Promise.allSettled(ledger.handles);
    }
    expect(wrongErrors).toEqual([]);
    expect(await ledger.problems()).toEqual([]);
    expect(ledger.accepted + rejected).toBe(rounds * bursts * burst);
    // Every round's first burst meets an empty queue: exactly maxQueue accepted, the rest refused.
    expect(rejected).toBeGreaterThanOrEqual(rounds * (burst - maxQueue));
    expect(ledger.accepted).toBeGreaterThanOrEqual(rounds * maxQueue);
    expect(maxQueued).toBeLessThanOrEqual(maxQueue);
    // Ran exactly once each: as many starts as accepted tasks, each with its own result.
    expect(pool.stats.executed).toBe(ledger.accepted);
    expect(pool.stats.live).toBe(0);
    console.log(`reject: ${ledger.accepted} accepted and run, ${rejected} refused with QueueFullError, at most ${maxQueued} queued, lost 0`);
    await pool.close();
  });

  it(`onFull 'reject' with cancellations: 50 bursts of 1,000 spawns, every third of the last 300 accepted cancelled at once; each settles once, fulfilled with its result or cancelled`, async () => {
    const pool = new PoolExecutor({ threads, maxQueue, onFull: 'reject' });
    const ledger = new Ledger();
    let id = 0;
    let cancels = 0;
    for (let b = 0; b < 50; b++) {
      for (let i = 0; i < 1_000; i++) spawnInto(pool, ledger, id++);
      // Some still queued on the main thread or in the inject queue, some already running.
      for (let k = Math.max(0, ledger.handles.length - 300); k < ledger.handles.length; k += 3) {
        ledger.handles[k]?.cancel(cancelReason);
        cancels++;
      }
      await nextTurn();
    }
    expect(await ledger.problems()).toEqual([]);
    expect(ledger.cancelled).toBeGreaterThan(0);
    expect(ledger.cancelled).toBeLessThanOrEqual(cancels);
    // A task cancelled while queued never starts; one cancelled while running did start.
    const fulfilled = ledger.accepted - ledger.cancelled;
    expect(pool.stats.executed).toBeGreaterThanOrEqual(fulfilled);
    expect(pool.stats.executed).toBeLessThanOrEqual(ledger.accepted);
    expect(pool.stats.live).toBe(0);
    expect(pool.stats.queued).toBe(0);
    console.log(`reject with cancellations: ${ledger.accepted} accepted, ${fulfilled} fulfilled, ${ledger.cancelled} cancelled, ${pool.stats.executed} started, lost 0`);
    await pool.close();
  });

  for (const producers of [1, 4]) {
    it(`onFull 'wait': ${producers} paced producer(s), 4 rounds of 5,000 tasks each on ${threads} workers; never more than maxQueue queued, every task runs once`, async () => {
      const pool = new PoolExecutor({ threads, maxQueue, onFull: 'wait' });
      await pool.ready();
      const ledger = new Ledger();
      const rounds = 4;
      const perRound = 5_000;
      let maxQueued = 0;
      let waits = 0;
      const errors: unknown[] = [];
      const sample = (queued: number): void => {
        maxQueued = Math.max(maxQueued, queued);
      };
      for (let round = 0; round < rounds; round++) {
        const ids = Array.from({ length: perRound }, (_, i) => round * perRound + i);
        const shares = Array.from({ length: producers }, (_, p) => ids.filter((i) => i % producers === p));
        const counts = await Promise.all(shares.map((share) => pacedProducer(pool, ledger, share, sample, errors)));
        waits += counts.reduce((a, b) => a + b, 0);
        await Promise.allSettled(ledger.handles);
      }
      expect(errors).toEqual([]);
      expect(await ledger.problems()).toEqual([]);
      expect(ledger.accepted).toBe(rounds * perRound);
      expect(pool.stats.executed).toBe(rounds * perRound);
      expect(maxQueued).toBeLessThanOrEqual(maxQueue);
      // Spawns are synchronous and tasks are not, so each round's opening burst fills the queue.
      expect(waits).toBeGreaterThanOrEqual(rounds);
      expect(pool.stats.live).toBe(0);
      console.log(`wait, ${producers} producer(s): ${ledger.accepted} run once each, ${waits} waits for room, at most ${maxQueued} queued, lost 0`);
      await pool.close();
    });
  }

  it(`onFull 'wait' with a producer that does not pace itself and only 64 shared slots: 20,000 spawns in one burst are all accepted, held on the main thread, and run once`, async () => {
    const pool = new PoolExecutor({ threads, maxQueue, onFull: 'wait', slots: 64 });
    const ledger = new Ledger();
    const total = 20_000;
    let maxQueued = 0;
    const errors: unknown[] = [];
    for (let id = 0; id < total; id++) {
      const error = spawnInto(pool, ledger, id);
      if (error !== undefined) errors.push(error);
      maxQueued = Math.max(maxQueued, pool.stats.queued);
    }
    expect(errors).toEqual([]);
    // The documented contract of 'wait': spawn accepts; pacing is the caller's, through whenQueueBelowMax().
    expect(maxQueued).toBe(total);
    let waited = false;
    void pool.whenQueueBelowMax().then(() => {
      waited = true;
    });
    expect(await ledger.problems()).toEqual([]);
    expect(waited).toBe(true);
    expect(pool.stats.executed).toBe(total);
    expect(pool.stats.live).toBe(0);
    console.log(`wait, unpaced, 64 slots: ${ledger.accepted} accepted, at most ${maxQueued} queued, all run once, lost 0`);
    await pool.close();
  });
});
