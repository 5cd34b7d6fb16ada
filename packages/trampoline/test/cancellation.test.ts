import { describe, expect, it } from 'vitest';
import { TaskCancelledError } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { operation, spawn, suspend, until } from '../src/index.js';
import type { Instruction } from '../src/index.js';
import { deferred, rejectionOf, withExecutor } from './helpers.js';

/** A chain of `depth` frames; the innermost suspends. Each frame's finally logs, then waits on `cleanup`. */
function chain(log: string[], cleanup: () => PromiseLike<unknown>) {
  const frame = operation(function* frame(depth: number): Generator<Instruction, void, unknown> {
    try {
      if (depth === 0) yield* suspend();
      else yield* frame(depth - 1);
    } finally {
      log.push(`finally ${depth}`);
      yield cleanup();
      log.push(`cleaned ${depth}`);
    }
  });
  return frame;
}

describe('cancellation', () => {
  it('returns the whole chain innermost first; finally blocks that wait finish before the caller hears', async () => {
    await withExecutor(async (ex) => {
      const log: string[] = [];
      // Frame i's cleanup signals reached[i] and waits on gates[i].
      const reached = [deferred(), deferred(), deferred()];
      const gates = [deferred(), deferred(), deferred()];
      let cleanups = 0;
      const frame = chain(log, () => {
        const i = cleanups++;
        reached[i]?.resolve();
        return gates[i]?.promise ?? Promise.resolve();
      });
      const started = deferred();
      const task = ex.spawn(function* () {
        started.resolve();
        yield* frame(2);
      });
      await started.promise;
      task.cancel('stop');
      const outcome = rejectionOf(task).then((error) => {
        log.push('caller sees cancellation');
        return error;
      });
      // Each frame's cleanup waits, and only once it has finished does the next frame's run.
      for (let i = 0; i < 3; i++) {
        await reached[i]?.promise;
        expect(log.at(-1)).toBe(`finally ${i}`);
        expect(log).not.toContain('caller sees cancellation');
        gates[i]?.resolve();
      }
      const error = await outcome;
      expect(error).toBeInstanceOf(TaskCancelledError);
      expect((error as TaskCancelledError).cause).toBe('stop');
      expect(log).toEqual(['finally 0', 'cleaned 0', 'finally 1', 'cleaned 1', 'finally 2', 'cleaned 2', 'caller sees cancellation']);
      expect(task.state).toBe('cancelled');
    });
  });

  it('returns a chain 100,000 frames deep, running every finally', async () => {
    await withExecutor(async (ex) => {
      let finallies = 0;
      const frame = operation(function* frame(depth: number): Generator<Instruction, void, unknown> {
        try {
          if (depth === 0) yield* suspend();
          else yield* frame(depth - 1);
        } finally {
          finallies++;
        }
      });
      const ready = deferred();
      const task = ex.spawn(function* () {
        ready.resolve();
        yield* frame(99_999);
      });
      await ready.promise;
      task.cancel();
      expect(await rejectionOf(task)).toBeInstanceOf(TaskCancelledError);
      expect(finallies).toBe(100_000);
    });
  });

  it('runs cleanup that calls other operations normally', async () => {
    await withExecutor(async (ex) => {
      const log: string[] = [];
      const release = operation(function* release(name: string): Generator<Instruction, string, unknown> {
        yield Promise.resolve();
        log.push(`released ${name}`);
        return name;
      });
      const holder = operation(function* holder(): Generator<Instruction, void, unknown> {
        try {
          yield* suspend();
        } finally {
          const name = yield* release('lock');
          log.push(`holder saw ${name}`);
        }
      });
      const running = deferred();
      const task = ex.spawn(function* () {
        running.resolve();
        try {
          yield* holder();
        } finally {
          log.push('outer finally');
        }
      });
      await running.promise;
      task.cancel();
      await rejectionOf(task);
      expect(log).toEqual(['released lock', 'holder saw lock', 'outer finally']);
    });
  });

  it('cancels children with their parent, and the parent settles after their cleanup', async () => {
    await withExecutor(async (ex) => {
      const log: string[] = [];
      const child = operation(function* child(name: string): Generator<Instruction, void, unknown> {
        try {
          yield* suspend();
        } finally {
          yield Promise.resolve();
          log.push(`child ${name} cleaned`);
        }
      });
      const running = deferred();
      const parent = ex.spawn(function* () {
        yield* spawn(child('a'));
        yield* spawn(child('b'));
        running.resolve();
        try {
          yield* suspend();
        } finally {
          log.push('parent finally');
        }
      });
      await running.promise;
      parent.cancel();
      await rejectionOf(parent);
      log.push('parent settled');
      expect(log.slice(-1)).toEqual(['parent settled']);
      expect(log).toContain('child a cleaned');
      expect(log).toContain('child b cleaned');
    });
  });

  it('an error thrown by a finally during cancellation rejects the task with that error', async () => {
    await withExecutor(async (ex) => {
      const cleanupError = new Error('cleanup failed');
      const frame = operation(function* frame(): Generator<Instruction, void, unknown> {
        try {
          yield* suspend();
        } finally {
          // eslint-disable-next-line no-unsafe-finally -- the failing cleanup is what is tested
          throw cleanupError;
        }
      });
      const log: string[] = [];
      const running = deferred();
      const task = ex.spawn(function* () {
        running.resolve();
        try {
          yield* frame();
        } finally {
          log.push('outer finally still ran');
        }
      });
      await running.promise;
      task.cancel();
      expect(await rejectionOf(task)).toBe(cleanupError);
      expect(log).toEqual(['outer finally still ran']);
    });
  });

  it('a signal aborted before spawn settles the task as cancelled without running it', async () => {
    await withExecutor(async (ex) => {
      let ran = false;
      const task = ex.spawn(
        function* () {
          ran = true;
          yield;
        },
        [],
        { signal: AbortSignal.abort('early') },
      );
      expect(await rejectionOf(task)).toBeInstanceOf(TaskCancelledError);
      expect(ran).toBe(false);
    });
  });

  it('aborts ctx.signal on cancellation, so work outside the trampoline can stop too', async () => {
    await withExecutor(async (ex) => {
      const running = deferred<AbortSignal>();
      const task = ex.spawn(function* (ctx: TaskContext) {
        running.resolve(ctx.signal);
        yield* until(new Promise(() => undefined));
      });
      const signal = await running.promise;
      expect(signal.aborted).toBe(false);
      task.cancel('why');
      await rejectionOf(task);
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBe('why');
    });
  });
});

describe('failure', () => {
  it('runs finally blocks innermost first on the way out, then rejects with the original error', async () => {
    await withExecutor(async (ex) => {
      const log: string[] = [];
      const boom = new Error('boom');
      const frame = operation(function* frame(depth: number): Generator<Instruction, void, unknown> {
        try {
          if (depth === 0) {
            yield Promise.resolve();
            throw boom;
          }
          yield* frame(depth - 1);
        } finally {
          yield Promise.resolve();
          log.push(`finally ${depth}`);
        }
      });
      expect(await rejectionOf(ex.run(frame(3)))).toBe(boom);
      expect(log).toEqual(['finally 0', 'finally 1', 'finally 2', 'finally 3']);
    });
  });

  it("a child's failure fails its parent and cancels its siblings, whose cleanup runs first", async () => {
    await withExecutor(async (ex) => {
      const log: string[] = [];
      const boom = new Error('child failed');
      const sibling = operation(function* sibling(): Generator<Instruction, void, unknown> {
        try {
          yield* suspend();
        } finally {
          yield Promise.resolve();
          log.push('sibling cleaned up');
        }
      });
      const failing = operation(function* failing(): Generator<Instruction, void, unknown> {
        yield Promise.resolve();
        throw boom;
      });
      const parent = ex.spawn(function* () {
        yield* spawn(sibling());
        yield* spawn(failing());
        try {
          yield* suspend();
        } finally {
          log.push('parent finally');
        }
      });
      const error = await rejectionOf(parent);
      log.push('parent rejected');
      expect(error).toBe(boom);
      expect(log).toEqual(expect.arrayContaining(['sibling cleaned up', 'parent finally']));
      expect(log.at(-1)).toBe('parent rejected');
    });
  });
});
