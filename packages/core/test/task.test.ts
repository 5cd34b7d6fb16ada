import { describe, expect, it } from 'vitest';
import { TaskCancelledError } from '../src/contract/errors.js';
import { Task } from '../src/kit/task.js';
import type { TaskOwner } from '../src/kit/task.js';

/** An owner that never steps anything: the tests finish bodies by hand. */
function owner(): TaskOwner & { interrupted: Task[] } {
  const interrupted: Task[] = [];
  return {
    label: 'test#1',
    interrupted,
    spawnChild: (parent, _body, _args, options) => new Task(owner(), parent, options),
    interrupt: (task) => {
      interrupted.push(task);
    },
    turn: () => undefined,
    settled: () => undefined,
  };
}

describe('Task', () => {
  it('calls a subscriber once, in a microtask after settling, and after settling too', async () => {
    const task = new Task<number>(owner(), undefined, undefined);
    const seen: string[] = [];
    task.subscribe(
      (value) => seen.push(`early ${value}`),
      () => seen.push('early failed'),
    );
    task.finish(false, 7);
    expect(seen).toEqual([]);
    task.subscribe(
      (value) => seen.push(`late ${value}`),
      () => seen.push('late failed'),
    );
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual(['early 7', 'late 7']);
    expect(await task).toBe(7);
  });

  it('makes its promise only when chained, before or after settling', async () => {
    const failed = new Task(owner(), undefined, undefined);
    const boom = new Error('boom');
    failed.subscribe(
      () => undefined,
      () => undefined,
    );
    failed.finish(true, boom);
    await expect(failed).rejects.toBe(boom);
    const cancelled = new Task(owner(), undefined, undefined);
    cancelled.cancel('why');
    cancelled.finish(false, undefined);
    await expect(cancelled).rejects.toBeInstanceOf(TaskCancelledError);
  });

  it('surfaces an unobserved failure of a top-level task as an unhandled rejection', async () => {
    const boom = new Error('nobody listened');
    const seen = new Promise<unknown>((resolve) => {
      process.once('unhandledRejection', resolve);
    });
    new Task(owner(), undefined, undefined).finish(true, boom);
    expect(await seen).toBe(boom);
  });

  it('does not report a cancelled task nobody awaited', async () => {
    const reported: unknown[] = [];
    const listener = (reason: unknown): void => {
      reported.push(reason);
    };
    process.on('unhandledRejection', listener);
    const task = new Task(owner(), undefined, undefined);
    task.cancel('quiet');
    task.finish(false, undefined);
    // Unhandled rejections are reported after the microtask queue drains: let it drain.
    await new Promise<void>((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', listener);
    expect(reported).toEqual([]);
    expect(task.state).toBe('cancelled');
  });
});
