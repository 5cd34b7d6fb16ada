// limiter: BullMQ's own rate limiter, which worker processes honour although they take jobs by
// hand (getNextJob): counted from BullMQ's record of when each job was taken.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { taskRef } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { BullmqExecutor } from '../dist/index.js';
import { startWorkers } from './workers.js';
import type { WorkerProcesses } from './workers.js';

const url = inject('redisUrl');
const queueName = `limiter-${String(process.pid)}`;
const add = taskRef<(ctx: TaskContext, a: number, b: number) => number>(new URL('./tasks.mjs', import.meta.url).href, 'add');

/** The most of `times` (ms) that fall in any window of `windowMs`. */
function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while ((sorted[j] ?? 0) - (sorted[i] ?? 0) >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe('limiter', () => {
  let workers: WorkerProcesses;
  let redis: Redis;
  beforeAll(async () => {
    // Room for many jobs at once: without the limiter, the whole burst starts together.
    workers = await startWorkers(2, { url, queueName, concurrency: 8 });
    redis = new Redis(url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    redis.disconnect();
    await workers.stop();
  });

  it('holds the rate: no more jobs start in a window than the limiter allows, across two worker processes', async () => {
    const max = 4;
    const duration = 400;
    const tasks = 24;
    const ex = new BullmqExecutor({ connection: url, queueName, limiter: { max, duration }, keepJobs: { completed: true } });
    const handles = Array.from({ length: tasks }, (_, i) => ex.spawn(add, [i, 1]));
    expect(await Promise.all(handles)).toEqual(Array.from({ length: tasks }, (_, i) => i + 1));
    await ex.close();

    const queue = new Queue(queueName, { connection: redis });
    const meta = await redis.hmget(`bull:${queueName}:meta`, 'max', 'duration');
    expect(meta, "the queue's own setting").toEqual([String(max), String(duration)]);
    const jobs = await queue.getJobs(['completed']);
    expect(jobs).toHaveLength(tasks);
    // `processedOn`: when a worker took the job (BullMQ's record, in the worker's clock; every
    // worker is on this host). The limiter counts in fixed windows that begin with a window's
    // first job, so any span of `duration` holds at most two windows' worth.
    const taken = jobs.map((job) => job.processedOn ?? Number.NaN);
    expect(taken.every(Number.isFinite)).toBe(true);
    expect(busiestWindow(taken, duration), 'jobs taken in the busiest window').toBeLessThanOrEqual(2 * max);
    await queue.close();
  });
});
