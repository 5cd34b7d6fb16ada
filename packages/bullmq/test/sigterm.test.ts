import { describe, expect, inject, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { TaskCancelledError, taskRef } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { BullmqExecutor } from '../dist/index.js';
import { startWorkers, workerBin } from './workers.js';

const url = inject('redisUrl');
const double = taskRef<(ctx: TaskContext, n: number) => number>(new URL('./makes-executor.mjs', import.meta.url).href, 'double');
const runWorkerChild = fileURLToPath(new URL('./run-worker-child.mjs', import.meta.url));

/** The bound the issue sets; a behaviour (the stop does not wait for such a job), not a speed. */
const exitWithinMs = 2_000;

const programs: readonly (readonly [what: string, script: string])[] = [
  ['the spindle-bullmq-worker command', workerBin],
  ['a program that runs runWorker() and stops it on SIGTERM as the README shows', runWorkerChild],
];

describe('SIGTERM while a task module made its own executor at import and never finishes loading', () => {
  programs.forEach(([what, script], n) => {
    it(`${what} exits within 2 s of the signal, and the job it held goes back to the queue`, async () => {
      const queueName = `sigterm-${process.pid}-${n}`;
      const workers = await startWorkers(1, { url, queueName }, script);
      const child = workers.children[0];
      if (child === undefined) throw new Error('no worker process');
      const imported = new Promise<void>((resolve) => {
        child.on('message', (message: { imported?: number }) => {
          if (message.imported !== undefined) resolve();
        });
      });
      const ex = new BullmqExecutor({ connection: url, queueName });
      const redis = new Redis(url, { maxRetriesPerRequest: null });
      const queue = new Queue(queueName, { connection: redis });
      try {
        const handle = ex.spawn(double, [1]);
        // The worker took the job and is importing its module, which will never finish.
        await imported;
        const exited = new Promise<number>((resolve) => {
          child.once('exit', () => {
            resolve(performance.now());
          });
        });
        const signalledAt = performance.now();
        child.kill('SIGTERM');
        const elapsed = (await exited) - signalledAt;
        expect(elapsed, `exited ${Math.round(elapsed)} ms after SIGTERM`).toBeLessThan(exitWithinMs);
        // Nothing was lost: the job it held waits for another worker, its handle unsettled.
        const waiting = await queue.getJobs(['wait']);
        expect(waiting.some((job) => (job.data as { i?: number }).i === handle.id), 'the job is back in the queue').toBe(true);
        expect(await queue.getActiveCount()).toBe(0);
        expect(handle.state).toBe('pending');
        handle.cancel('test over');
        await expect(handle).rejects.toBeInstanceOf(TaskCancelledError);
      } finally {
        await ex.close({ mode: 'cancel' });
        await workers.stop();
        await queue.obliterate({ force: true });
        await queue.close();
        redis.disconnect();
      }
    }, 60_000);
  });
});
