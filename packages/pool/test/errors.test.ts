// Errors cross from the workers through the kit's codec: a class the main thread does not
// have comes back under its own name with its fields, message, stack and cause; Spindle's
// own error classes come back as themselves.
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidTaskError, TaskCancelledError, taskRef } from '@spindle/core';
import { rejection } from '@spindle/executor-tests/describe-hostile-input';
import { PoolExecutor } from '../dist/index.js';

const fixtures = new URL('./errors-fixtures.mjs', import.meta.url);
const ref = (name: string) => taskRef(fixtures, name) as never;
const threadsChannel = 'spindle-pool-errors-threads';

/** What a DbError thrown with `message` in a worker must look like on the main thread. */
function expectDbError(error: unknown, message: string): void {
  expect(error).toBeInstanceOf(Error);
  const db = error as Error & { code?: unknown };
  expect(db.constructor.name).toBe('DbError');
  expect(db.code).toBe('E_DB');
  expect(db.message).toBe(message);
  // The stack is the one from the worker, where the body threw.
  expect(db.stack).toContain('failsWithDbError');
  expect(db.stack).toContain('errors-fixtures.mjs');
  expect(db.cause).toBeInstanceOf(RangeError);
  expect((db.cause as Error).message).toBe('connection reset');
}

describe('errors thrown in pool tasks', () => {
  const pool = new PoolExecutor({ threads: 2 });
  afterAll(() => pool.close());

  it("a user's error class (DbError with its own code) arrives with its name, code, message, stack and cause", async () => {
    expectDbError(await rejection(pool.spawn(ref('failsWithDbError'), ['no such table'] as never)), 'no such table');
  });

  it('the same error from a child that ran on another worker crosses twice (to its parent, then to the main thread) unchanged', async () => {
    const word = new SharedArrayBuffer(8);
    const view = new Int32Array(word);
    const channel = new BroadcastChannel(threadsChannel);
    const childThread = new Promise<number>((resolve) => {
      channel.onmessage = (event: unknown) => {
        resolve((event as { readonly data: number }).data);
      };
    });
    try {
      const parent = pool.spawn(ref('joinsFailingChild'), [word, 'deadlock detected'] as never);
      // The parent's worker is blocked until here: the child ran on the other one.
      const ranOn = await childThread;
      Atomics.store(view, 0, 1);
      Atomics.notify(view, 0);
      expectDbError(await rejection(parent), 'deadlock detected');
      expect(ranOn).not.toBe(Atomics.load(view, 1));
    } finally {
      channel.close();
    }
  });

  it('TaskCancelledError thrown by a body comes back as TaskCancelledError with its fields and cause', async () => {
    const error = await rejection(pool.spawn(ref('throwsCancelled')));
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect(error).toMatchObject({ taskId: 7, taskName: 'seven', cause: 'why' });
    expect((error as Error).message).toContain('seven');
  });

  it('InvalidTaskError made in a worker (a result that cannot be cloned) comes back as InvalidTaskError with its code', async () => {
    const error = await rejection(pool.spawn(ref('returnsClosure')));
    expect(error).toBeInstanceOf(InvalidTaskError);
    expect((error as InvalidTaskError).code).toBe('not-cloneable');
  });
});
