import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { taskRef } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { BullmqExecutor } from '../dist/index.js';
import { startWorkers } from './workers.js';
import type { WorkerProcesses } from './workers.js';

const url = inject('redisUrl');
const tasks = new URL('./tasks.mjs', import.meta.url).href;
const queueName = `smoke-${process.pid}`;

describe('smoke', () => {
  let workers: WorkerProcesses;
  beforeAll(async () => {
    workers = await startWorkers(2, { url, queueName });
  });
  afterAll(async () => {
    await workers.stop();
  });

  it('runs a task and a fork-join', async () => {
    const ex = new BullmqExecutor({ connection: url, queueName });
    expect(await ex.spawn(taskRef<(ctx: TaskContext, a: number, b: number) => number>(tasks, 'add'), [1, 2])).toBe(3);
    expect(await ex.spawn(taskRef<(ctx: TaskContext, n: number) => number>(tasks, 'fib'), [10])).toBe(55);
    await ex.close();
  });
});
