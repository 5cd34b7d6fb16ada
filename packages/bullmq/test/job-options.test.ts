// Per-spawn job options: delay, priority, attempts and backoff, and what a spawn refuses.
import { afterAll, beforeAll, describe, expect, expectTypeOf, inject, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { InvalidOptionsError, InvalidTaskError, TaskCancelledError, taskRef } from '@spindle/core';
import type { TaskContext, TaskHandle, TaskReference } from '@spindle/core';
import { BullmqExecutor, priorityLimit } from '../dist/index.js';
import type { BullmqSpawnOptions } from '../dist/index.js';
import { noJobActive } from './redis-settled.js';
import { startWorkers } from './workers.js';
import type { WorkerProcesses } from './workers.js';

const url = inject('redisUrl');
const tasks = new URL('./tasks.mjs', import.meta.url).href;
const queueName = `job-options-${String(process.pid)}`;
const ref = <F extends (ctx: TaskContext, ...args: never[]) => unknown>(name: string): TaskReference<Parameters<F> extends [TaskContext, ...infer A] ? A : never, Awaited<ReturnType<F>>> =>
  taskRef(tasks, name) as never;
let counter = 0;
const freshKey = (): string => `job-options:${String(process.pid)}:${String(++counter)}`;

const add = ref<(ctx: TaskContext, a: number, b: number) => number>('add');
const flaky = ref<(ctx: TaskContext, url: string, key: string, succeedOn: number) => Promise<number>>('flaky');
const countedValue = ref<(ctx: TaskContext, url: string, key: string, value: string) => Promise<string>>('countedValue');
const startOrder = ref<(ctx: TaskContext, label: string) => [number, string]>('startOrder');

/** Checked by `pnpm typecheck`, never run: a spawn is typed from its body, BullMQ's options included. */
export function typedSpawns(ex: BullmqExecutor): void {
  expectTypeOf(ex.spawn(add, [1, 2], { delay: 5, priority: 1, attempts: 2, backoff: { type: 'fixed', delay: 1 }, jobId: 'x' })).toEqualTypeOf<TaskHandle<number>>();
  // @ts-expect-error: add takes numbers
  ex.spawn(add, ['1', 2]);
  // @ts-expect-error: a delay is milliseconds
  ex.spawn(add, [1, 2], { delay: '5' });
  // @ts-expect-error: not an option
  ex.spawn(add, [1, 2], { dealy: 5 });
}

async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('per-spawn job options, two worker processes', () => {
  let workers: WorkerProcesses;
  let redis: Redis;
  let queue: Queue;
  beforeAll(async () => {
    workers = await startWorkers(2, { url, queueName, concurrency: 4 });
    redis = new Redis(url, { maxRetriesPerRequest: null });
    queue = new Queue(queueName, { connection: redis });
  });
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await workers.stop();
  });

  it('delay: the job waits that long in BullMQ before it starts', async () => {
    const ex = new BullmqExecutor({ connection: url, queueName, keepJobs: { completed: true } });
    const jobId = `delayed-${String(process.pid)}`;
    expect(await ex.spawn(add, [2, 3], { delay: 400, jobId })).toBe(5);
    await ex.close();
    await noJobActive(queue);
    const job = await queue.getJob(jobId);
    expect(job?.opts.delay).toBe(400);
    // BullMQ's own record: added at `timestamp`, taken by a worker at `processedOn`.
    expect((job?.processedOn ?? 0) - (job?.timestamp ?? 0)).toBeGreaterThanOrEqual(400);
  });

  it('delay: a delayed job cancelled before it starts is removed and never runs', async () => {
    const ex = new BullmqExecutor({ connection: url, queueName });
    const key = freshKey();
    const jobId = `cancelled-delayed-${String(process.pid)}`;
    const handle = ex.spawn(countedValue, [url, key, 'ran'], { delay: 60_000, jobId });
    // In Redis, delayed, before it is cancelled.
    for (let tries = 0; (await queue.getJobState(jobId)) !== 'delayed'; tries++) {
      expect(tries, 'the job reached the delayed set').toBeLessThan(500);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const reason = new Error('not needed');
    handle.cancel(reason);
    const error = await rejection(handle);
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect((error as TaskCancelledError).cause).toBe(reason);
    expect(await queue.getJob(jobId)).toBeUndefined();
    expect(await redis.get(key)).toBeNull();
    await ex.close();
  });

  it('attempts and backoff per spawn override the executor’s', async () => {
    const once = new BullmqExecutor({ connection: url, queueName });
    const key = freshKey();
    expect(await once.spawn(flaky, [url, key, 3], { attempts: 3, backoff: { type: 'fixed', delay: 20 } })).toBe(3);
    await once.close();
    const retrying = new BullmqExecutor({ connection: url, queueName, attempts: 3, backoff: 10 });
    const error = await rejection(retrying.spawn(flaky, [url, freshKey(), 2], { attempts: 1 }));
    expect((error as Error).message).toBe('run 1 fails');
    await retrying.close();
  });

  it("a child takes its parent's attempts unless its spawn says otherwise", async () => {
    const joinsFlakyChild = ref<(ctx: TaskContext, url: string, key: string, succeedOn: number, options?: BullmqSpawnOptions) => { value?: number; error?: string }>('joinsFlakyChild');
    const ex = new BullmqExecutor({ connection: url, queueName });
    expect(await ex.spawn(joinsFlakyChild, [url, freshKey(), 3], { attempts: 3 })).toEqual({ value: 3 });
    expect(await ex.spawn(joinsFlakyChild, [url, freshKey(), 3, { attempts: 1 }], { attempts: 3 })).toEqual({ error: 'run 1 fails' });
    expect(await ex.spawn(joinsFlakyChild, [url, freshKey(), 2, { attempts: 2, backoff: 5 }])).toEqual({ value: 2 });
    await ex.close();
  });

  it('refuses bad values at the call with InvalidTaskError (invalid-options), and accepts nothing', () => {
    const ex = new BullmqExecutor({ connection: url, queueName });
    const cases: [unknown, string][] = [
      [{ delay: -1 }, 'options.delay'],
      [{ delay: 1.5 }, 'options.delay'],
      [{ delay: 'soon' }, 'options.delay'],
      [{ attempts: 0 }, 'options.attempts'],
      [{ backoff: { type: 'linear', delay: 1 } }, 'options.backoff'],
      [{ backoff: -5 }, 'options.backoff'],
      [{ jobId: '' }, 'jobId'],
      [{ jobId: 'a:b' }, 'jobId'],
      [{ jobId: '42' }, 'jobId'],
      [{ jobId: 42 }, 'jobId'],
      [{ priority: priorityLimit + 1 }, 'priority'],
      [{ priority: -priorityLimit - 1 }, 'priority'],
      [{ dealy: 100 }, 'did you mean "delay"?'],
      [{ jobid: 'x' }, 'did you mean "jobId"?'],
    ];
    for (const [options, says] of cases) {
      let error: unknown;
      try {
        ex.spawn(add, [1, 2], options as BullmqSpawnOptions);
      } catch (thrown) {
        error = thrown;
      }
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidTaskError);
      expect((error as InvalidTaskError).code).toBe('invalid-options');
      expect((error as Error).message, JSON.stringify(options)).toContain(says);
    }
    expect(ex.stats.live, 'nothing was accepted').toBe(0);
    // The edges of the range are valid.
    expect(() => {
      ex.spawn(add, [1, 2], { priority: priorityLimit }).cancel();
    }).not.toThrow();
    expect(() => {
      ex.spawn(add, [1, 2], { priority: -priorityLimit }).cancel();
    }).not.toThrow();
    return ex.close();
  });

  it('a child spawned with a job id of its own is refused in its worker: the parent fails with InvalidTaskError', async () => {
    const spawnsWith = ref<(ctx: TaskContext, options: BullmqSpawnOptions) => [number, string]>('spawnsWith');
    const ex = new BullmqExecutor({ connection: url, queueName });
    const error = await rejection(ex.spawn(spawnsWith, [{ jobId: 'mine' }]));
    expect(error).toBeInstanceOf(InvalidTaskError);
    expect((error as InvalidTaskError).code).toBe('invalid-options');
    const refused = await rejection(ex.spawn(spawnsWith, [{ delay: -3 }]));
    expect((refused as InvalidTaskError).code).toBe('invalid-options');
    expect(await ex.spawn(spawnsWith, [{ delay: 50, priority: 3 }])).toEqual([expect.any(Number), 'child']);
    await ex.close();
  });

  it('refuses unknown executor options naming the closest valid one', () => {
    const cases: [unknown, string, string][] = [
      [{ connection: url, keepjobs: true }, 'keepjobs', 'did you mean "keepJobs"?'],
      [{ connection: url, limitter: { max: 1, duration: 1 } }, 'limitter', 'did you mean "limiter"?'],
      [{ connection: url, queue: 'x' }, 'queue', ''],
      [{ connection: url, limiter: { max: 0, duration: 10 } }, 'limiter.max', ''],
      [{ connection: url, limiter: { max: 1 } }, 'limiter', ''],
      [{ connection: url, limiter: { max: 1, duration: 10, per: 1 } }, 'per', ''],
      [{ connection: url, keepJobs: { completed: -1 } }, 'keepJobs.completed', ''],
      [{ connection: url, keepJobs: { completed: {} } }, 'keepJobs.completed', ''],
      [{ connection: url, keepJobs: { complete: true } }, 'complete', 'did you mean "completed"?'],
      [{ connection: url, keepJobs: 'yes' }, 'keepJobs', ''],
    ];
    for (const [options, option, says] of cases) {
      let error: unknown;
      try {
        new BullmqExecutor(options as never);
      } catch (thrown) {
        error = thrown;
      }
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).toBe(option);
      expect((error as Error).message).toContain(says);
    }
  });
});

describe('priority, one worker process taking one job at a time', () => {
  const queue1 = `job-priority-${String(process.pid)}`;
  let workers: WorkerProcesses;
  beforeAll(async () => {
    workers = await startWorkers(1, { url, queueName: queue1 });
  });
  afterAll(async () => {
    await workers.stop();
  });

  it('higher priorities start first; one priority starts in spawn order; fractions round to the nearest rank', async () => {
    const ex = new BullmqExecutor({ connection: url, queueName: queue1 });
    // The worker loads the module first, so that loading does not reorder starts.
    const [before] = await ex.spawn(startOrder, ['warm-up']);
    // One burst: one addBulk, so every job is in Redis before the worker takes the first.
    const spawns: [string, number | undefined][] = [
      ['low-1', -3],
      ['plain-1', undefined],
      ['high-1', 10],
      ['plain-2', 0],
      ['low-2', -3],
      ['rounded-up', 1.6],
      ['high-2', 10],
      ['two', 2],
      ['plain-3', undefined],
      ['rounded-down', 2.4],
    ];
    const handles = spawns.map(([label, priority]) => ex.spawn(startOrder, [label], priority === undefined ? {} : { priority }));
    const results = await Promise.all(handles);
    await ex.close();
    const order = results.sort((a, b) => a[0] - b[0]).map(([, label]) => label);
    expect(results[0]?.[0]).toBe(before + 1);
    // 1.6 and 2.4 both rank as 2, in spawn order with the 2.
    expect(order).toEqual(['high-1', 'high-2', 'rounded-up', 'two', 'rounded-down', 'plain-1', 'plain-2', 'plain-3', 'low-1', 'low-2']);
  });
});
