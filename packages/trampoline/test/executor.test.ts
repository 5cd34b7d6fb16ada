import { describe, expect, it } from 'vitest';
import { ExecutorClosedError, InvalidOptionsError, channelNames } from '@spindle/core';
import type { TaskContext, TaskEvent } from '@spindle/core';
import diagnosticsChannel from 'node:diagnostics_channel';
import { TrampolineExecutor, operation } from '../src/index.js';
import type { Instruction } from '../src/index.js';

// eslint-disable-next-line require-yield -- a synchronous callee is the point
const same = operation(function* same(n: number): Generator<Instruction, number, unknown> {
  return n;
});

describe('trampoline executor', () => {
  it('declares its capabilities', () => {
    expect(new TrampolineExecutor().capabilities).toEqual({
      name: 'trampoline',
      parallel: false,
      closures: true,
      clonesArguments: false,
      timeSliced: true,
      ordering: 'fifo',
      priorities: true,
    });
  });

  it('hands the thread back so a timer fires while a task waits on settled promises forever', async () => {
    const ex = new TrampolineExecutor({ sliceMs: 1 });
    let fired = false;
    setTimeout(() => (fired = true), 0);
    const resolved = Promise.resolve();
    const spinner = ex.spawn(function* () {
      let spins = 0;
      while (!fired) {
        spins++;
        yield resolved;
      }
      return spins;
    });
    expect(await spinner).toBeGreaterThan(0);
    expect(ex.stats.slicesExpired).toBeGreaterThan(0);
    await ex.close();
  });

  it('hands the thread back during an endless synchronous chain too', async () => {
    const ex = new TrampolineExecutor({ sliceMs: 1 });
    let fired = false;
    setImmediate(() => (fired = true));
    const spinner = ex.spawn(function* () {
      let calls = 0;
      while (!fired) calls += yield* same(1);
      return calls;
    });
    expect(await spinner).toBeGreaterThan(0);
    await ex.close();
  });

  it('starts tasks in spawn order, whatever their body kind', async () => {
    const ex = new TrampolineExecutor();
    const log: number[] = [];
    const handles = [
      ex.spawn(function* () {
        log.push(0);
        yield;
      }),
      ex.spawn(async () => {
        log.push(1);
        await Promise.resolve();
      }),
      ex.spawn({
        result: undefined,
        next() {
          log.push(2);
          return true;
        },
      }),
      ex.spawn(() => log.push(3)),
      ex.run(
        (function* () {
          log.push(4);
          yield Promise.resolve();
        })(),
      ),
    ];
    await Promise.all(handles);
    expect(log).toEqual([0, 1, 2, 3, 4]);
    await ex.close();
  });

  it('gives async bodies turns through ctx.yield()', async () => {
    const ex = new TrampolineExecutor();
    const task = ex.spawn(async (ctx: TaskContext) => {
      let turns = 0;
      for (let i = 0; i < 100; i++) {
        await ctx.yield();
        turns++;
      }
      return turns;
    });
    expect(await task).toBe(100);
    await ex.close();
  });

  it('publishes lifecycle events', async () => {
    const ex = new TrampolineExecutor({ label: 'events-test' });
    const events: TaskEvent[] = [];
    const listener = (message: unknown): void => {
      const event = message as TaskEvent;
      if (event.executor === 'events-test') events.push(event);
    };
    const names = Object.values(channelNames);
    for (const name of names) diagnosticsChannel.subscribe(name, listener);
    try {
      await ex.spawn(function* () {
        yield Promise.resolve();
        yield;
      });
    } finally {
      for (const name of names) diagnosticsChannel.unsubscribe(name, listener);
    }
    expect(events.map((event) => event.kind)).toEqual(['spawn', 'start', 'suspend', 'wake', 'resume', 'suspend', 'resume', 'settle']);
    await ex.close();
  });

  it('rejects bad options with InvalidOptionsError naming the option', () => {
    expect(() => new TrampolineExecutor({ sliceMs: 0 })).toThrow(InvalidOptionsError);
    expect(() => new TrampolineExecutor({ sliceMs: Number.POSITIVE_INFINITY })).toThrow(/sliceMs/);
    expect(() => new TrampolineExecutor({ label: 1 as unknown as string })).toThrow(/label/);
    expect(() => new TrampolineExecutor('fast' as never)).toThrow(InvalidOptionsError);
    expect(() => new TrampolineExecutor().close({ mode: 'now' as 'drain' })).toThrow(InvalidOptionsError);
  });

  it('drains on close, then refuses work; cancel mode cancels with the reason as cause', async () => {
    const ex = new TrampolineExecutor();
    const done = ex.spawn(function* () {
      yield Promise.resolve();
      return 'drained';
    });
    await ex.close();
    expect(await done).toBe('drained');
    expect(() => ex.spawn(() => 1)).toThrow(ExecutorClosedError);

    const other = new TrampolineExecutor();
    const stuck = other.spawn(function* () {
      yield new Promise(() => undefined);
    });
    const reason = new Error('shutting down');
    await other.close({ mode: 'cancel', reason });
    await expect(stuck).rejects.toMatchObject({ name: 'TaskCancelledError', cause: reason });
    expect(other.stats.live).toBe(0);
  });
});
