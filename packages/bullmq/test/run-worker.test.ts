import { describe, expect, inject, it } from 'vitest';
import { InvalidOptionsError, taskRef } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { BullmqExecutor, runWorker } from '../dist/index.js';

const url = inject('redisUrl');
const tasks = new URL('./tasks.mjs', import.meta.url).href;
const countedSleep = taskRef<(ctx: TaskContext, url: string, key: string, ms: number) => Promise<number>>(tasks, 'countedSleep');

describe('runWorker', () => {
  it('runs tasks in this process; stop() takes no more jobs, lets the one it holds finish, then closes', async () => {
    const queueName = `run-worker-${process.pid}`;
    const worker = await runWorker({ connection: url, queueName });
    expect(worker.thread).toBe(process.pid);
    const ex = new BullmqExecutor({ connection: url, queueName });
    const key = `run-worker:${process.pid}`;
    const running = ex.spawn(countedSleep, [url, key, 200]);
    const { Redis } = await import('ioredis');
    const redis = new Redis(url);
    await redis.blpop(`${key}:started`, 0);
    const stopped = worker.stop();
    const queued = ex.spawn(countedSleep, [url, `${key}:queued`, 1]);
    expect(await running, 'the job it held finished').toBe(200);
    await stopped;
    expect(worker.stats).toEqual({ held: 0, completed: 1, failed: 0 });
    // The stopped worker took nothing more: the job waits for another worker.
    expect(await redis.get(`${key}:queued`)).toBeNull();
    const next = await runWorker({ connection: url, queueName });
    expect(await queued).toBe(1);
    await next.stop();
    await ex.close();
    redis.disconnect();
  });

  it('refuses bad options with InvalidOptionsError naming the option', async () => {
    await expect(runWorker({ connection: url, concurrency: 0 })).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(runWorker({ connection: url, lockDuration: 5 })).rejects.toMatchObject({ option: 'lockDuration' });
    // A waiting parent's lock is never longer than a running task's.
    await expect(runWorker({ connection: url, lockDuration: 1_000, parkedLockDuration: 2_000 })).rejects.toMatchObject({ option: 'parkedLockDuration' });
  });
});
