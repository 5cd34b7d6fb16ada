import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { InvalidOptionsError, TaskCancelledError, channelNames, taskRef } from '@spindle/core';
import type { StartEvent, TaskContext, TaskReference } from '@spindle/core';
import { BullmqExecutor, TaskTimeoutError } from '../dist/index.js';
import { startWorkers } from './workers.js';
import type { WorkerProcesses } from './workers.js';

const url = inject('redisUrl');
const tasks = new URL('./tasks.mjs', import.meta.url).href;
const queueName = `features-${process.pid}`;
const ref = <F extends (ctx: TaskContext, ...args: never[]) => unknown>(name: string): TaskReference<Parameters<F> extends [TaskContext, ...infer A] ? A : never, Awaited<ReturnType<F>>> =>
  taskRef(tasks, name) as never;
let counter = 0;
const freshKey = (): string => `features:${process.pid}:${++counter}`;

async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('@spindle/bullmq with two worker processes', () => {
  let workers: WorkerProcesses;
  beforeAll(async () => {
    workers = await startWorkers(2, { url, queueName });
  });
  afterAll(async () => {
    await workers.stop();
  });

  it('carries an error across: class, name, message and stack', async () => {
    const ex = new BullmqExecutor({ connection: url, queueName });
    const typeError = await rejection(ex.spawn(ref<(ctx: TaskContext, m: string) => never>('fails'), ['bad type']));
    expect(typeError).toBeInstanceOf(TypeError);
    expect((typeError as Error).message).toBe('bad type');
    expect((typeError as Error).stack).toContain('fails');
    const custom = await rejection(ex.spawn(ref<(ctx: TaskContext, m: string) => never>('failsCustom'), ['bad input']));
    expect(custom).toBeInstanceOf(Error);
    expect((custom as Error).name).toBe('ParseError');
    expect((custom as Error).message).toBe('bad input');
    expect((custom as Error).stack).toContain('failsCustom');
    await ex.close();
  });

  it("carries a user's error class with its own fields across: constructor name, code, message, stack and cause", async () => {
    const ex = new BullmqExecutor({ connection: url, queueName });
    const error = await rejection(ex.spawn(ref<(ctx: TaskContext, m: string) => never>('failsWithDbError'), ['insert failed']));
    await ex.close();
    // `class DbError extends Error { code = 'E_DB' }`, thrown in a worker process.
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).constructor.name).toBe('DbError');
    expect((error as { code?: unknown }).code).toBe('E_DB');
    expect((error as Error).message).toBe('insert failed');
    expect((error as Error).stack).toContain('failsWithDbError');
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(RangeError);
    expect((cause as Error).message).toBe('connection reset');
  });

  it('retries a failing task with BullMQ attempts, and fails it for good without them', async () => {
    const retrying = new BullmqExecutor({ connection: url, queueName, attempts: 3 });
    const flaky = ref<(ctx: TaskContext, url: string, key: string, succeedOn: number) => Promise<number>>('flaky');
    expect(await retrying.spawn(flaky, [url, freshKey(), 3])).toBe(3);
    await retrying.close();
    const once = new BullmqExecutor({ connection: url, queueName });
    const error = await rejection(once.spawn(flaky, [url, freshKey(), 2]));
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('run 1 fails');
    await once.close();
  });

  it('times a task out in its worker, once per attempt, and rejects with TaskTimeoutError', async () => {
    const ex = new BullmqExecutor({ connection: url, queueName, timeout: 150, attempts: 2 });
    const key = freshKey();
    const error = await rejection(ex.spawn(ref<(ctx: TaskContext, url: string, key: string, ms: number) => Promise<number>>('countedSleep'), [url, key, 60_000]));
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect((error as TaskTimeoutError).timeout).toBe(150);
    const { Redis } = await import('ioredis');
    const redis = new Redis(url);
    expect(await redis.get(key), 'runs: one per attempt').toBe('2');
    redis.disconnect();
    await ex.close();
  });

  it('cancels a task running in a worker process: its signal aborts with the reason, the handle rejects with TaskCancelledError', async () => {
    const ex = new BullmqExecutor({ connection: url, queueName });
    const key = freshKey();
    const { Redis } = await import('ioredis');
    const redis = new Redis(url);
    const handle = ex.spawn(ref<(ctx: TaskContext, url: string, key: string) => Promise<string>>('countedWaitForAbort'), [url, key]);
    // The body says so on a list once it runs in a worker process.
    await redis.blpop(`${key}:started`, 0);
    const reason = new Error('no longer needed');
    handle.cancel(reason);
    const error = await rejection(handle);
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect((error as TaskCancelledError).cause).toBe(reason);
    expect(await redis.get(`${key}:reason`), "the body's signal aborted with (a copy of) the reason").toBe('no longer needed');
    // A body that fails with its signal's reason rejects with it, as on every executor.
    const sleeping = ex.spawn(ref<(ctx: TaskContext, url: string, key: string, ms: number) => Promise<number>>('countedSleep'), [url, freshKey(), 60_000]);
    const second = freshKey();
    const other = ex.spawn(ref<(ctx: TaskContext, url: string, key: string, ms: number) => Promise<number>>('countedSleep'), [url, second, 60_000]);
    await redis.blpop(`${second}:started`, 0);
    other.cancel(new RangeError('stop sleeping'));
    const own = await rejection(other);
    expect(own).toBeInstanceOf(RangeError);
    expect((own as Error).message).toBe('stop sleeping');
    sleeping.cancel('also');
    expect(await rejection(sleeping)).toBeDefined();
    expect(await ex.spawn(ref<(ctx: TaskContext, a: number, b: number) => number>('add'), [2, 3])).toBe(5);
    redis.disconnect();
    await ex.close();
  });

  it('publishes the events of each worker process with its pid as the thread', async () => {
    const starts: StartEvent[] = [];
    const listener = (message: unknown): void => {
      starts.push(message as StartEvent);
    };
    subscribe(channelNames.start, listener);
    const ex = new BullmqExecutor({ connection: url, queueName });
    expect(await ex.spawn(ref<(ctx: TaskContext, n: number) => number>('fib'), [12])).toBe(144);
    await ex.close();
    unsubscribe(channelNames.start, listener);
    const mine = starts.filter((event) => event.executor === ex.label);
    expect(mine.length, 'a start event per task of fib(12)').toBe(465);
    const threads = new Set(mine.map((event) => event.thread));
    for (const thread of threads) expect(workers.threads).toContain(thread);
  });
});

describe('@spindle/bullmq options', () => {
  it('made without options, runs its tasks in this process on the Redis of SPINDLE_REDIS_URL', async () => {
    const previous = process.env.SPINDLE_REDIS_URL;
    process.env.SPINDLE_REDIS_URL = url;
    try {
      const ex = new BullmqExecutor();
      expect(await ex.spawn(ref<(ctx: TaskContext) => number>('whereAmI'))).toBe(process.pid);
      await ex.close();
    } finally {
      if (previous === undefined) delete process.env.SPINDLE_REDIS_URL;
      else process.env.SPINDLE_REDIS_URL = previous;
    }
  });

  it('refuses bad options with InvalidOptionsError naming the option', () => {
    const cases: [unknown, string][] = [
      [{ connection: 'http://example.com' }, 'connection'],
      [{ connection: 42 }, 'connection'],
      [{ connection: url, attempts: 0 }, 'attempts'],
      [{ connection: url, timeout: -1 }, 'timeout'],
      [{ connection: url, queueName: 'a:b' }, 'queueName'],
      [{ connection: url, backoff: { type: 'linear', delay: 1 } }, 'backoff'],
      [{ connection: url, localWorker: 'yes' }, 'localWorker'],
    ];
    for (const [options, option] of cases) {
      let error: unknown;
      try {
        new BullmqExecutor(options as never);
      } catch (thrown) {
        error = thrown;
      }
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).toBe(option);
    }
  });
});
