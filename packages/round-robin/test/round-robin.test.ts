import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { ExecutorClosedError, InvalidOptionsError, TaskCancelledError, YieldPoint } from '@spindle/core';
import type { StateMachine, TaskContext } from '@spindle/core';
import { RoundRobinExecutor } from '../src/index.js';

function* counter(_ctx: TaskContext, log: string[], name: string, steps: number): Generator<undefined, string> {
  for (let i = 0; i < steps; i++) {
    log.push(name);
    yield;
  }
  return name;
}

describe('round-robin fairness', () => {
  it('gives each of K ready tasks one step per turn, in spawn order', async () => {
    const ex = new RoundRobinExecutor();
    const log: string[] = [];
    const names = ['a', 'b', 'c', 'd'];
    const handles = names.map((name) => ex.spawn(counter, [log, name, 5]));
    expect(await Promise.all(handles)).toEqual(names);
    expect(log).toEqual(Array.from({ length: 5 }, () => names).flat());
    await ex.close();
  });

  it('puts a woken task at the back of the queue, behind tasks already ready', async () => {
    const ex = new RoundRobinExecutor();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sleeper = ex.spawn(function* () {
      log.push('sleeper parks');
      yield gate;
      log.push('sleeper resumes');
    });
    const busy = ex.spawn(function* () {
      log.push('busy 0');
      release();
      yield;
      log.push('busy 1');
      yield;
      log.push('busy 2');
    });
    await Promise.all([sleeper, busy]);
    // The wake happens in a microtask after busy's first step; sleeper then waits behind busy.
    expect(log.indexOf('sleeper resumes')).toBeGreaterThan(log.indexOf('busy 1'));
    await ex.close();
  });
});

describe('round-robin time slicing', () => {
  it('hands the thread back so a timer fires while a task yields forever', async () => {
    const ex = new RoundRobinExecutor({ sliceMs: 1 });
    let fired = false;
    setTimeout(() => (fired = true), 0);
    // Without slicing this body would spin in microtasks and the timer could never fire.
    const spinner = ex.spawn(function* () {
      let spins = 0;
      while (!fired) {
        spins++;
        yield;
      }
      return spins;
    });
    expect(await spinner).toBeGreaterThan(0);
    expect(ex.stats.slicesExpired).toBeGreaterThan(0);
    await ex.close();
  });

  it('keeps I/O callbacks running between slices', async () => {
    const ex = new RoundRobinExecutor({ sliceMs: 1 });
    const { promise: io, resolve } = withResolvers<undefined>();
    let done = false;
    // setImmediate-driven I/O stand-in: the check phase must be reached between slices.
    setImmediate(() => {
      done = true;
      resolve(undefined);
    });
    const spinner = ex.spawn(function* () {
      while (!done) yield;
    });
    await Promise.all([io, spinner]);
    expect(done).toBe(true);
    await ex.close();
  });
});

describe('round-robin bodies', () => {
  it('parks a state machine on the promise it returns and steps it again when it settles', async () => {
    const ex = new RoundRobinExecutor();
    class GetNumbers implements StateMachine<number[]> {
      result: number[] = [];
      private pending: Promise<number> | undefined;
      next(): boolean | Promise<number> {
        if (this.pending !== undefined) this.pending = undefined;
        if (this.result.length === 3) return true;
        const n = this.result.length + 1;
        this.pending = Promise.resolve(n * 10).then((v) => {
          this.result.push(v);
          return v;
        });
        return this.pending;
      }
    }
    expect(await ex.spawn(new GetNumbers())).toEqual([10, 20, 30]);
    await ex.close();
  });

  it('gives async bodies turns through ctx.yield(), interleaved with generator steps', async () => {
    const ex = new RoundRobinExecutor();
    const log: string[] = [];
    const asyncTask = ex.spawn(async (ctx: TaskContext) => {
      for (let i = 0; i < 3; i++) {
        log.push(`async ${i}`);
        await ctx.yield();
      }
    });
    const genTask = ex.spawn(counter, [log, 'gen', 3]);
    await Promise.all([asyncTask, genTask]);
    expect(log.filter((l) => l.startsWith('async'))).toEqual(['async 0', 'async 1', 'async 2']);
    // Interleaved: the generator does not run all its steps before the async body's second turn.
    expect(log.indexOf('async 1')).toBeLessThan(log.lastIndexOf('gen'));
    await ex.close();
  });

  it('keeps strict round-robin order when several async bodies wait for turns in a row, between generators', async () => {
    const ex = new RoundRobinExecutor();
    const log: string[] = [];
    const asyncBody = async (ctx: TaskContext, name: string): Promise<void> => {
      for (let i = 0; i < 4; i++) {
        log.push(`${name}${String(i)}`);
        await ctx.yield();
      }
    };
    const generator = function* (ctx: TaskContext, name: string): Generator<unknown, void> {
      for (let i = 0; i < 4; i++) {
        log.push(`${name}${String(i)}`);
        yield ctx.yield();
      }
    };
    await Promise.all([ex.spawn(asyncBody, ['a']), ex.spawn(asyncBody, ['b']), ex.spawn(generator, ['g']), ex.spawn(asyncBody, ['c']), ex.spawn(generator, ['h'])]);
    const rounds = [0, 1, 2, 3].map((i) => ['a', 'b', 'g', 'c', 'h'].map((name) => `${name}${String(i)}`));
    expect(log).toEqual(rounds.flat());
    await ex.close();
  });

  it('cancels an async body waiting for its turn: its ctx.yield() rejects, and it runs no further', async () => {
    const ex = new RoundRobinExecutor();
    const log: string[] = [];
    const target: { victim?: { cancel(reason: string): void } } = {};
    const killer = ex.spawn(async (ctx: TaskContext) => {
      for (let i = 0; i < 3; i++) {
        log.push(`killer ${String(i)}`);
        await ctx.yield();
      }
      target.victim?.cancel('stop');
      log.push('killer cancelled victim');
    });
    const victim = ex.spawn(async (ctx: TaskContext) => {
      for (let i = 0; ; i++) {
        log.push(`victim ${String(i)}`);
        try {
          await ctx.yield();
        } catch (error) {
          log.push(`victim's yield rejected: ${ctx.signal.aborted ? 'aborted' : 'not aborted'}`);
          throw error;
        }
      }
    });
    target.victim = victim;
    await killer;
    await expect(victim).rejects.toBeInstanceOf(TaskCancelledError);
    expect(log).toEqual(['killer 0', 'victim 0', 'killer 1', 'victim 1', 'killer 2', 'victim 2', 'killer cancelled victim', "victim's yield rejected: aborted"]);
    await ex.close();
  });

  it("awaits a native promise for ctx.yield() once an async body has awaited; a stopping task's unawaited yield point stays quiet", async () => {
    const ex = new RoundRobinExecutor();
    const kind = (value: PromiseLike<undefined>): string =>
      value instanceof YieldPoint ? 'yield point' : Object.getPrototypeOf(value) === Promise.prototype ? 'native promise' : 'other';
    const seen: string[] = [];
    const self: { handle?: { cancel(reason: string): void } } = {};
    const handle = ex.spawn(async (ctx: TaskContext) => {
      // Within the first step the body is stepped: the executor's yield point.
      const first = ctx.yield();
      seen.push(kind(first));
      await first;
      const later = ctx.yield();
      seen.push(kind(later));
      await later;
      self.handle?.cancel('stop');
      // Never awaited, on a stopping task: nothing may reject unhandled.
      seen.push(kind(ctx.yield()));
      await Promise.resolve();
      return seen.length;
    });
    self.handle = handle;
    await expect(handle).rejects.toBeInstanceOf(TaskCancelledError);
    expect(seen).toEqual(['yield point', 'native promise', 'yield point']);
    await ex.close();
  });

  it('runs a task that cancels itself in the middle of a step to its cleanup', async () => {
    const ex = new RoundRobinExecutor();
    const log: string[] = [];
    const self = ex.spawn(function* (ctx: TaskContext) {
      try {
        handle.cancel('self');
        log.push('after cancel, same step');
        yield;
        log.push('never');
      } finally {
        log.push('finally');
      }
      return ctx.taskId;
    });
    const handle = self;
    await expect(self).rejects.toBeInstanceOf(TaskCancelledError);
    expect(log).toEqual(['after cancel, same step', 'finally']);
    await ex.close();
  });

  it('restores each task’s AsyncLocalStorage context on every step', async () => {
    const ex = new RoundRobinExecutor();
    const als = new AsyncLocalStorage<string>();
    const seen: string[] = [];
    const body = function* (): Generator<undefined, void> {
      for (let i = 0; i < 3; i++) {
        seen.push(als.getStore() ?? 'none');
        yield;
      }
    };
    await Promise.all([als.run('x', () => ex.spawn(body)), als.run('y', () => ex.spawn(body))]);
    expect(seen).toEqual(['x', 'y', 'x', 'y', 'x', 'y']);
    await ex.close();
  });
});

describe('round-robin structure', () => {
  it('settles a parent only after its unjoined children finish', async () => {
    const ex = new RoundRobinExecutor();
    const log: string[] = [];
    const parent = ex.spawn((ctx: TaskContext) => {
      ctx.spawn(counter, [log, 'child', 3]);
      log.push('parent returns');
      return 'p';
    });
    expect(await parent).toBe('p');
    expect(log).toEqual(['parent returns', 'child', 'child', 'child']);
    await ex.close();
  });

  it('fails the parent when an unjoined child fails, and cancels its siblings', async () => {
    const ex = new RoundRobinExecutor();
    const boom = new Error('child failed');
    let siblingCleanedUp = false;
    const parent = ex.spawn(function* (ctx: TaskContext) {
      ctx.spawn(function* () {
        try {
          for (;;) yield;
        } finally {
          siblingCleanedUp = true;
        }
      });
      ctx.spawn(() => {
        throw boom;
      });
      yield new Promise(() => undefined);
      return 'unreachable';
    });
    await expect(parent).rejects.toBe(boom);
    expect(siblingCleanedUp).toBe(true);
    await ex.close();
  });

  it('delivers a joined child’s failure to the joiner, who may recover', async () => {
    const ex = new RoundRobinExecutor();
    const parent = ex.spawn(function* (ctx: TaskContext) {
      const child = ctx.spawn(() => {
        throw new RangeError('bad');
      });
      try {
        yield ctx.join(child);
      } catch (error) {
        return (error as Error).name;
      }
      return 'unreachable';
    });
    expect(await parent).toBe('RangeError');
    await ex.close();
  });
});

describe('round-robin options and closing', () => {
  it('rejects bad options with InvalidOptionsError naming the option', () => {
    expect(() => new RoundRobinExecutor({ sliceMs: -1 })).toThrow(InvalidOptionsError);
    expect(() => new RoundRobinExecutor({ sliceMs: Number.NaN })).toThrow(/sliceMs/);
    expect(() => new RoundRobinExecutor({ label: 5 as unknown as string })).toThrow(/label/);
    const ex = new RoundRobinExecutor();
    expect(() => ex.close({ mode: 'later' as 'drain' })).toThrow(InvalidOptionsError);
  });

  it('drains every accepted task, including children spawned while draining, then refuses work', async () => {
    const ex = new RoundRobinExecutor();
    const done: number[] = [];
    for (let i = 0; i < 50; i++) {
      ex.spawn(function* (ctx: TaskContext) {
        yield;
        const child = ctx.spawn(() => i);
        done.push((yield child));
      });
    }
    await ex.close();
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(() => ex.spawn(() => 1)).toThrow(ExecutorClosedError);
    expect(ex.stats.live).toBe(0);
  });

  it('cancels every unsettled task in cancel mode, with the reason as cause', async () => {
    const ex = new RoundRobinExecutor();
    const never = new Promise(() => undefined);
    const handles = Array.from({ length: 10 }, () =>
      ex.spawn(function* () {
        yield never;
      }),
    );
    const reason = new Error('shutting down');
    await ex.close({ mode: 'cancel', reason });
    for (const handle of handles) {
      expect(handle.state).toBe('cancelled');
      await expect(handle).rejects.toMatchObject({ name: 'TaskCancelledError', cause: reason });
    }
  });

  it('disposes with await using semantics', async () => {
    const ex = new RoundRobinExecutor();
    const handle = ex.spawn(() => 7);
    await ex[Symbol.asyncDispose]();
    expect(handle.state).toBe('fulfilled');
    expect(ex.closed).toBe(true);
  });
});

function withResolvers<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('round-robin and bodies that ignore cancellation', () => {
  it('cancels children that a cancelled async body spawns after the fact', async () => {
    const ex = new RoundRobinExecutor();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    let childRan = false;
    let lateChild: PromiseLike<unknown> | undefined;
    const parent = ex.spawn(async (ctx: TaskContext) => {
      markStarted();
      // Ignores its signal: keeps going after cancel and spawns a child.
      await gate;
      lateChild = ctx.spawn(() => {
        childRan = true;
      });
      return 'ignored';
    });
    await started;
    parent.cancel('stop');
    release();
    await expect(parent).rejects.toBeInstanceOf(TaskCancelledError);
    await expect(lateChild).rejects.toBeInstanceOf(TaskCancelledError);
    expect(childRan).toBe(false);
    await ex.close();
  });
});
