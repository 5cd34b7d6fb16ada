import { describe, expect, inject, it } from 'vitest';
import { taskRef } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { BullmqExecutor } from '../dist/index.js';
import { startWorkers } from './workers.js';

const url = inject('redisUrl');
const tasks = new URL('./tasks.mjs', import.meta.url).href;
const chain = taskRef<(ctx: TaskContext, depth: number) => number>(tasks, 'chain');
const asyncChain = taskRef<(ctx: TaskContext, depth: number) => Promise<number>>(tasks, 'asyncChain');

describe('short locks for parents waiting for their children', () => {
  it('chains of parents, each waiting for the next, hand their locks over and back without losing one (no job stalls, none fails)', async () => {
    const queueName = `parked-locks-${process.pid}`;
    // Waiting parents' locks five times shorter than the default and stalled-job checks ten
    // times as often, and no stall allowed: a lock nobody renews for a second fails its job
    // with WorkerLostError.
    const workers = await startWorkers(2, { url, queueName, concurrency: 4, lockDuration: 4_000, parkedLockDuration: 1_000, stalledInterval: 500, maxStalledCount: 0 });
    const ex = new BullmqExecutor({ connection: url, queueName });
    try {
      const results = await Promise.all([ex.spawn(chain, [300]), ex.spawn(asyncChain, [300]), ex.spawn(chain, [150]), ex.spawn(asyncChain, [150])]);
      expect(results).toEqual([300, 300, 150, 150]);
    } finally {
      await ex.close();
      await workers.stop();
    }
  }, 120_000);
});
