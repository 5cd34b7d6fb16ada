// keepJobs: finished jobs stay in Redis as set, and a dashboard reading them through BullMQ's
// own Queue API (as bull-board does) finds the arguments and the result as JSON where JSON
// carries them.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { taskRef } from '@spindle/core';
import type { TaskContext, TaskReference } from '@spindle/core';
import { BullmqExecutor } from '../dist/index.js';
import { noJobActive } from './redis-settled.js';
import { startWorkers } from './workers.js';
import type { WorkerProcesses } from './workers.js';

const url = inject('redisUrl');
const tasks = new URL('./tasks.mjs', import.meta.url).href;
const ref = <F extends (ctx: TaskContext, ...args: never[]) => unknown>(name: string): TaskReference<Parameters<F> extends [TaskContext, ...infer A] ? A : never, Awaited<ReturnType<F>>> =>
  taskRef(tasks, name) as never;
let counter = 0;
const fresh = (what: string): string => `${what}-${String(process.pid)}-${String(++counter)}`;

/** What a dashboard reads of a job's data (the fields named in messages.ts). */
interface KeptData {
  /** Module URL and export name of the task. */
  readonly m: string;
  readonly x: string;
  /** Arguments: JSON, or base64 bytes. */
  readonly a: unknown;
}

const add = ref<(ctx: TaskContext, a: number, b: number) => number>('add');
const echo = ref<(ctx: TaskContext, value: unknown) => unknown>('echo');
const fails = ref<(ctx: TaskContext, message: string) => never>('fails');
const fib = ref<(ctx: TaskContext, n: number) => number>('fib');

describe('keepJobs', () => {
  // A queue per test: counts of kept jobs are the test's own.
  let queues = 0;
  const queueName = (): string => `keep-jobs-${String(process.pid)}-${String(++queues)}`;
  let workers: WorkerProcesses | undefined;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    redis.disconnect();
    await workers?.stop();
  });

  /** Worker processes for this queue (the previous test's stop first). */
  async function serve(name: string): Promise<Queue<KeptData>> {
    await workers?.stop();
    workers = await startWorkers(1, { url, queueName: name, concurrency: 4 });
    return new Queue<KeptData>(name, { connection: redis });
  }

  it('a kept job shows its arguments, its name and its result as JSON through Queue.getJob', async () => {
    const name = queueName();
    const queue = await serve(name);
    const ex = new BullmqExecutor({ connection: url, queueName: name, keepJobs: true });
    const jobId = fresh('sum');
    expect(await ex.spawn(add, [2, 3], { jobId })).toBe(5);
    const nested = { user: { id: 7, tags: ['a', 'b'] }, ratio: 0.5, ok: true, none: null };
    const nestedId = fresh('nested');
    expect(await ex.spawn(echo, [nested], { jobId: nestedId })).toEqual(nested);
    await ex.close();
    await noJobActive(queue);

    const job = await queue.getJob(jobId);
    expect(job?.name, 'the export name').toBe('add');
    expect(job?.data.a, 'the arguments').toEqual([2, 3]);
    expect(job?.data.x).toBe('add');
    expect(job?.data.m).toBe(tasks);
    expect(job?.returnvalue).toBe(5);
    expect(await job?.getState()).toBe('completed');
    // As stored: plain JSON in the job's hash, which any dashboard parses.
    const raw = await redis.hget(`bull:${name}:${jobId}`, 'data');
    expect((JSON.parse(raw ?? '{}') as { a?: unknown }).a).toEqual([2, 3]);
    const other = await queue.getJob(nestedId);
    expect(other?.data.a).toEqual([nested]);
    expect(other?.returnvalue).toEqual(nested);
    await queue.close();
  });

  it('values JSON cannot carry exactly go as bytes, and come back whole', async () => {
    const name = queueName();
    const queue = await serve(name);
    const ex = new BullmqExecutor({ connection: url, queueName: name, keepJobs: { completed: true } });
    const holey: unknown[] = [];
    holey[0] = 1;
    holey[2] = 3;
    const cases: unknown[] = [new Map([[1, 'one']]), new Date(0), undefined, Number.NaN, -0, 10n, holey];
    for (const value of cases) {
      const jobId = fresh('bytes');
      expect(await ex.spawn(echo, [value], { jobId }), String(value)).toStrictEqual(value);
      await noJobActive(queue);
      const job = await queue.getJob(jobId);
      expect(typeof job?.data.a, 'the arguments as base64 bytes').toBe('string');
      expect(Object.keys(job?.returnvalue as object), 'the result as { $spindle: bytes }').toEqual(['$spindle']);
    }
    // A result that looks like the marker goes as bytes too; as an argument it is plain JSON.
    const lookalike = { $spindle: 'looks like ours' };
    const jobId = fresh('lookalike');
    expect(await ex.spawn(echo, [lookalike], { jobId })).toEqual(lookalike);
    await noJobActive(queue);
    const job = await queue.getJob(jobId);
    expect(job?.data.a).toEqual([lookalike]);
    expect(Object.keys(job?.returnvalue as object)).toEqual(['$spindle']);
    expect((job?.returnvalue as { $spindle: string }).$spindle).not.toBe('looks like ours');
    // An object that is the same value twice is one value after a structured clone, two after JSON.
    const shared = { n: 1 };
    const both = (await ex.spawn(echo, [[shared, shared]])) as unknown[];
    expect(both[0]).toBe(both[1]);
    await ex.close();
    await queue.close();
  });

  it('a kept failed job shows its arguments and the reason it failed', async () => {
    const name = queueName();
    const queue = await serve(name);
    const ex = new BullmqExecutor({ connection: url, queueName: name, keepJobs: { failed: true } });
    const jobId = fresh('failed');
    await expect(ex.spawn(fails, ['bad input'], { jobId })).rejects.toThrow('bad input');
    await ex.close();
    await noJobActive(queue);
    const job = await queue.getJob(jobId);
    expect(await job?.getState()).toBe('failed');
    expect(job?.data.a).toEqual(['bad input']);
    expect(job?.failedReason).toBe('bad input');
    expect(job?.stacktrace?.join('\n')).toContain('fails');
    await queue.close();
  });

  it('by default completed jobs go at once; a count keeps the latest that many; children are kept too', async () => {
    const name = queueName();
    const queue = await serve(name);
    const plain = new BullmqExecutor({ connection: url, queueName: name });
    const jobId = fresh('gone');
    expect(await plain.spawn(add, [1, 1], { jobId })).toBe(2);
    await noJobActive(queue);
    expect(await queue.getJob(jobId)).toBeUndefined();
    await plain.close();

    const latest = new BullmqExecutor({ connection: url, queueName: name, keepJobs: { completed: 3 } });
    for (let i = 0; i < 6; i++) expect(await latest.spawn(add, [i, 1])).toBe(i + 1);
    await latest.close();
    await noJobActive(queue);
    expect((await queue.getJobCounts('completed')).completed).toBe(3);
    const kept = await queue.getJobs(['completed']);
    expect(kept.map((job) => job.returnvalue as number).sort((a, b) => a - b)).toEqual([4, 5, 6]);
    await queue.obliterate({ force: true });

    const family = new BullmqExecutor({ connection: url, queueName: name, keepJobs: { completed: true } });
    expect(await family.spawn(fib, [6])).toBe(8);
    await family.close();
    await noJobActive(queue);
    const jobs = await queue.getJobs(['completed']);
    // fib(6) is 25 tasks: the root and its 24 descendants, each a job of its own.
    expect(jobs).toHaveLength(25);
    for (const job of jobs) {
      expect(job.name).toBe('fib');
      expect(job.data.a).toEqual([expect.any(Number)]);
      expect(typeof job.returnvalue).toBe('number');
    }
    await queue.close();
  });
});
