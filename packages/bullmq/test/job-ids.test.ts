// Job ids of the user's (`jobId`): a second spawn with the id of a job in Redis joins that
// job (waiting, running, or finished and kept) instead of running the task twice.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { TaskCancelledError, taskRef } from '@spindle/core';
import type { TaskContext, TaskReference } from '@spindle/core';
import { BullmqExecutor } from '../dist/index.js';
import { noJobActive } from './redis-settled.js';
import { startWorkers } from './workers.js';
import type { WorkerProcesses } from './workers.js';

const url = inject('redisUrl');
const tasks = new URL('./tasks.mjs', import.meta.url).href;
const queueName = `job-ids-${String(process.pid)}`;
const ref = <F extends (ctx: TaskContext, ...args: never[]) => unknown>(name: string): TaskReference<Parameters<F> extends [TaskContext, ...infer A] ? A : never, Awaited<ReturnType<F>>> =>
  taskRef(tasks, name) as never;
let counter = 0;
const fresh = (what: string): string => `${what}-${String(process.pid)}-${String(++counter)}`;

const countedValue = ref<(ctx: TaskContext, url: string, key: string, value: string) => Promise<string>>('countedValue');
const countedFail = ref<(ctx: TaskContext, url: string, key: string, message: string) => Promise<never>>('countedFail');
const countedWaitForGo = ref<(ctx: TaskContext, url: string, key: string) => Promise<string>>('countedWaitForGo');
const countedWaitForAbort = ref<(ctx: TaskContext, url: string, key: string) => Promise<string>>('countedWaitForAbort');

async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('jobId: spawns of one id share one job', () => {
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

  it('spawns while the job runs join it, from this executor and another: one run, every handle settles with its value', async () => {
    const one = new BullmqExecutor({ connection: url, queueName });
    const other = new BullmqExecutor({ connection: url, queueName });
    const key = fresh('running');
    const jobId = fresh('job');
    const first = one.spawn(countedWaitForGo, [url, key], { jobId });
    await redis.blpop(`${key}:started`, 0);
    const again = one.spawn(countedWaitForGo, [url, key], { jobId });
    const elsewhere = other.spawn(countedWaitForGo, [url, key], { jobId });
    // Both are registered once their add has been answered; the job is still running.
    while ((await redis.scard(`bull:${queueName}:${jobId}:spindle:joiners`)) < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await redis.rpush(`${key}:go`, 'go');
    expect(await Promise.all([first, again, elsewhere])).toEqual(['done after 1 run(s)', 'done after 1 run(s)', 'done after 1 run(s)']);
    expect(await redis.get(key), 'runs').toBe('1');
    expect(one.stats.duplicateOutcomes + other.stats.duplicateOutcomes).toBe(0);
    await Promise.all([one.close(), other.close()]);
  });

  it('spawns of one id in one burst add one job: one run', async () => {
    const ex = new BullmqExecutor({ connection: url, queueName });
    const key = fresh('burst');
    const jobId = fresh('job');
    const handles = Array.from({ length: 5 }, () => ex.spawn(countedValue, [url, key, 'once'], { jobId }));
    expect(await Promise.all(handles)).toEqual(['once', 'once', 'once', 'once', 'once']);
    expect(await redis.get(key)).toBe('1');
    await ex.close();
  });

  it('a spawn after the job completed and was kept joins it: its value, no second run', async () => {
    const kept = new BullmqExecutor({ connection: url, queueName, keepJobs: { completed: true } });
    const key = fresh('kept');
    const jobId = fresh('job');
    expect(await kept.spawn(countedValue, [url, key, 'first'], { jobId })).toBe('first');
    await kept.close();
    expect(await queue.getJobState(jobId)).toBe('completed');
    const later = new BullmqExecutor({ connection: url, queueName });
    // Other arguments, same id: the job in Redis answers.
    expect(await later.spawn(countedValue, [url, key, 'second'], { jobId })).toBe('first');
    expect(await redis.get(key), 'runs').toBe('1');
    await later.close();
  });

  it('a spawn after the job failed and was kept (failed jobs stay a day by default) joins it: the same error', async () => {
    const ex = new BullmqExecutor({ connection: url, queueName });
    const key = fresh('failed');
    const jobId = fresh('job');
    const first = await rejection(ex.spawn(countedFail, [url, key, 'no good'], { jobId }));
    expect(first).toBeInstanceOf(RangeError);
    const second = await rejection(ex.spawn(countedFail, [url, key, 'no good'], { jobId }));
    expect(second).toBeInstanceOf(RangeError);
    expect((second as Error).message).toBe('no good');
    expect((second as Error).stack).toContain('countedFail');
    expect(await redis.get(key), 'runs').toBe('1');
    await ex.close();
  });

  it('a spawn after the job completed and was removed (the default) runs it again, as BullMQ adds a job whose id is free', async () => {
    const ex = new BullmqExecutor({ connection: url, queueName });
    const key = fresh('removed');
    const jobId = fresh('job');
    expect(await ex.spawn(countedValue, [url, key, 'first'], { jobId })).toBe('first');
    await noJobActive(queue);
    expect(await queue.getJob(jobId)).toBeUndefined();
    expect(await ex.spawn(countedValue, [url, key, 'second'], { jobId })).toBe('second');
    expect(await redis.get(key), 'runs').toBe('2');
    await ex.close();
  });

  it('cancelling one spawn leaves the job to the others; cancelling the last cancels the job', async () => {
    const ex = new BullmqExecutor({ connection: url, queueName });
    const key = fresh('shared');
    const jobId = fresh('job');
    const first = ex.spawn(countedWaitForGo, [url, key], { jobId });
    await redis.blpop(`${key}:started`, 0);
    const second = ex.spawn(countedWaitForGo, [url, key], { jobId });
    while ((await redis.scard(`bull:${queueName}:${jobId}:spindle:joiners`)) < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    first.cancel('not me');
    expect(await rejection(first)).toBeInstanceOf(TaskCancelledError);
    await redis.rpush(`${key}:go`, 'go');
    expect(await second).toBe('done after 1 run(s)');

    const abortKey = fresh('last');
    const abortId = fresh('job');
    const a = ex.spawn(countedWaitForAbort, [url, abortKey], { jobId: abortId });
    await redis.blpop(`${abortKey}:started`, 0);
    const b = ex.spawn(countedWaitForAbort, [url, abortKey], { jobId: abortId });
    while ((await redis.scard(`bull:${queueName}:${abortId}:spindle:joiners`)) < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    b.cancel('b leaves');
    expect(await rejection(b)).toBeInstanceOf(TaskCancelledError);
    a.cancel('a was the last');
    expect(await rejection(a)).toBeInstanceOf(TaskCancelledError);
    expect(await redis.get(`${abortKey}:reason`), 'the running task was cancelled in its worker').toBe('a was the last');
    expect(await redis.get(abortKey)).toBe('1');
    await ex.close();
  });

  it('a spawn whose joined job is removed without an outcome (by hand) adds it again and runs it', async () => {
    const ex = new BullmqExecutor({ connection: url, queueName });
    const key = fresh('gone');
    const jobId = fresh('job');
    const delayed = ex.spawn(countedValue, [url, key, 'delayed'], { jobId, delay: 60_000 });
    const joined = ex.spawn(countedValue, [url, key, 'joined'], { jobId });
    while ((await redis.scard(`bull:${queueName}:${jobId}:spindle:joiners`)) < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    // The first leaves (the other still waits for the job, which stays)...
    delayed.cancel();
    expect(await rejection(delayed)).toBeInstanceOf(TaskCancelledError);
    expect(await queue.getJobState(jobId)).toBe('delayed');
    // ... and the job goes by hand, as from a dashboard: the one left adds its own.
    expect(await queue.remove(jobId)).toBe(1);
    expect(await joined).toBe('joined');
    expect(await redis.get(key)).toBe('1');
    await ex.close();
  });
});
