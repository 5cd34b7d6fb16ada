import { describe, expect, inject, it } from 'vitest';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { taskRef } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { BullmqExecutor } from '../dist/index.js';
import { startWorkers } from './workers.js';

const url = inject('redisUrl');
const parentOfOne = taskRef<(ctx: TaskContext, url: string, key: string) => number>(new URL('./tasks.mjs', import.meta.url).href, 'parentOfOne');

describe('a child outcome whose message is lost', () => {
  it("is found in its parent's processed hash, where BullMQ keeps the child's return value", async () => {
    const queueName = `lost-message-${process.pid}`;
    // The parent's worker looks for children's outcomes after 300 ms without a word.
    const workers = await startWorkers(1, { url, queueName, stalledInterval: 300, concurrency: 2 });
    const ex = new BullmqExecutor({ connection: url, queueName });
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new Queue(queueName, { connection: redis });
    const events = new QueueEvents(queueName, { connection: new Redis(url, { maxRetriesPerRequest: null }) });
    try {
      await events.waitUntilReady();
      const key = `lost-message:${process.pid}`;
      const handle = ex.spawn(parentOfOne, [url, key]);
      await redis.blpop(`${key}:child`, 0);
      // The child runs: find its job, and the inbox its outcome is to be sent to.
      const active = await redis.lrange(`bull:${queueName}:active`, 0, -1);
      const childJobs = await Promise.all(active.map((id) => queue.getJob(id)));
      const child = childJobs.find((job) => job?.name === 'childWaitsForGo');
      expect(child, 'the child job is active').toBeDefined();
      const inbox = (child?.data as { r: string }).r;
      // Make the message undeliverable: the inbox key is now a string, so its RPUSH fails.
      await redis.set(inbox, 'not a list');
      // Listen for its completion before letting it finish. Not Job.waitUntilFinished: it
      // also asks Redis whether the job has finished, and that call failed once in CI with
      // "Missing key for job … isFinished" when the job was gone by the time it ran.
      const childId = child?.id;
      const completed = new Promise<unknown>((resolve, reject) => {
        const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }): void => {
          if (jobId !== childId) return;
          stop();
          resolve(returnvalue);
        };
        const onFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }): void => {
          if (jobId !== childId) return;
          stop();
          reject(new Error(failedReason));
        };
        const stop = (): void => {
          events.off('completed', onCompleted);
          events.off('failed', onFailed);
        };
        events.on('completed', onCompleted);
        events.on('failed', onFailed);
      });
      await redis.rpush(`${key}:go`, 'go');
      expect(await completed, "the child's return value is its encoded outcome").toEqual(expect.any(String));
      await redis.del(inbox);
      expect(await handle, "the parent got its child's result all the same").toBe(42);
    } finally {
      await events.close();
      await queue.close();
      redis.disconnect();
      await ex.close();
      await workers.stop();
    }
  });
});
