// The `concurrency` limit and the wait-time figures of the single-thread executors built on
// core's ExecutorShell (round-robin, trampoline), written once. Closures only: these
// executors take them, and the tests watch the tasks from the outside.
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, TaskCancelledError } from '@spindle/core';
import type { Executor, TaskContext } from '@spindle/core';

/** What the limits suite reads of an executor. */
export interface LimitedExecutor extends Executor {
  readonly stats: { readonly waiting: number; readonly waitTime: { readonly count: number; readonly p50: number; readonly max: number } };
}

export interface LimitsOptions {
  /** A new executor with these options (each test closes the one it made). */
  readonly make: (options?: { concurrency?: number; sliceMs?: number }) => LimitedExecutor;
  /** The executor's constructor called with anything at all. */
  readonly construct: (options: unknown) => unknown;
}

/** A gate a test opens by hand: `wait` parks until `open()`. */
function gate(): { readonly wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

export function describeLimits(name: string, options: LimitsOptions): void {
  describe(`${name}: concurrency limit and wait times`, () => {
    it('runs at most `concurrency` spawned tasks at once; the rest start in priority order, then spawn order', async () => {
      const ex = options.make({ concurrency: 2 });
      let running = 0;
      let most = 0;
      const started: string[] = [];
      const gates = new Map<string, ReturnType<typeof gate>>();
      const body = async (ctx: TaskContext, id: string): Promise<string> => {
        running++;
        most = Math.max(most, running);
        started.push(id);
        const g = gate();
        gates.set(id, g);
        await g.wait;
        running--;
        return id;
      };
      const handles = [
        ex.spawn(body, ['a']),
        ex.spawn(body, ['b']),
        ex.spawn(body, ['c']),
        ex.spawn(body, ['d'], { priority: 1 }),
        ex.spawn(body, ['e']),
      ];
      // Let every task that can start, start.
      while (started.length < 2) await new Promise<void>((resolve) => setImmediate(resolve));
      expect(started).toEqual(['a', 'b']);
      expect(ex.stats.waiting).toBe(3);
      // Each finish lets exactly one more start: d (priority 1) first, then c, then e.
      for (const [finish, next] of [['a', 'd'], ['b', 'c'], ['d', 'e']] as const) {
        gates.get(finish)?.open();
        const before = started.length;
        while (started.length === before) await new Promise<void>((resolve) => setImmediate(resolve));
        expect(started.at(-1)).toBe(next);
      }
      for (const id of ['c', 'e']) gates.get(id)?.open();
      expect(await Promise.all(handles)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(most).toBe(2);
      expect(ex.stats.waiting).toBe(0);
      await ex.close();
    });

    it('lets children run beyond the limit (a parent never waits for its own place)', async () => {
      const ex = options.make({ concurrency: 1 });
      const sum = await ex.spawn(async (ctx: TaskContext) => {
        const children = Array.from({ length: 5 }, (_, i) => ctx.spawn(() => i + 1));
        let total = 0;
        for (const child of children) total += await child;
        return total;
      });
      expect(sum).toBe(15);
      await ex.close();
    });

    it('settles a task cancelled while it waits for a place at once, and it never runs', async () => {
      const ex = options.make({ concurrency: 1 });
      const first = gate();
      let ranSecond = false;
      const holder = ex.spawn(async () => {
        await first.wait;
        return 'first';
      });
      const second = ex.spawn(() => {
        ranSecond = true;
      });
      const third = ex.spawn(() => 'third');
      expect(ex.stats.waiting).toBe(2);
      second.cancel('not needed');
      await expect(second).rejects.toBeInstanceOf(TaskCancelledError);
      expect(second.state).toBe('cancelled');
      expect(ex.stats.waiting).toBe(1);
      first.open();
      expect(await holder).toBe('first');
      expect(await third).toBe('third');
      expect(ranSecond).toBe(false);
      await ex.close();
    });

    it('drains every waiting task on close(), and cancels them all on close({ mode: "cancel" })', async () => {
      const drained = options.make({ concurrency: 1 });
      const done: number[] = [];
      const all = Array.from({ length: 6 }, (_, i) =>
        drained.spawn(async () => {
          await Promise.resolve();
          done.push(i);
        }),
      );
      await drained.close();
      await Promise.all(all);
      expect(done).toEqual([0, 1, 2, 3, 4, 5]);

      const cancelled = options.make({ concurrency: 1 });
      const blocker = gate();
      const handles = Array.from({ length: 4 }, () => cancelled.spawn(() => blocker.wait));
      await cancelled.close({ mode: 'cancel' });
      const outcomes = await Promise.allSettled(handles);
      expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof TaskCancelledError)).toBe(true);
    });

    it('times the wait from spawn to the first step', async () => {
      const ex = options.make({ concurrency: 1 });
      const first = gate();
      const holder = ex.spawn(() => first.wait);
      const waiter = ex.spawn(() => 'ran');
      // Hold the place across a few turns of the event loop, so the waiter's wait is long.
      const heldFrom = performance.now();
      while (performance.now() - heldFrom < 5) await new Promise<void>((resolve) => setImmediate(resolve));
      first.open();
      await holder;
      await waiter;
      const { count, max } = ex.stats.waitTime;
      expect(count).toBe(2);
      expect(max).toBeGreaterThanOrEqual(5);
      await ex.close();
    });

    it('refuses a limit that is not a positive integer, and unknown option names, naming the option', () => {
      for (const concurrency of [0, -1, 1.5, Number.NaN, '2', null]) {
        expect(() => options.construct({ concurrency })).toThrow(InvalidOptionsError);
      }
      expect(() => options.construct({ concurency: 2 })).toThrow(/unknown .* option "concurency": did you mean "concurrency"\?/);
      try {
        options.construct({ slice: 1 });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionsError);
        expect((error as InvalidOptionsError).option).toBe('slice');
        expect((error as InvalidOptionsError).message).toContain('did you mean "sliceMs"?');
      }
      expect(() => options.construct({ concurrency: Number.POSITIVE_INFINITY })).not.toThrow();
    });
  });
}
