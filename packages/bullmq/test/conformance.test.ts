import { afterAll, beforeAll, inject } from 'vitest';
import { describeExecutorConformance } from '@spindle/conformance';
import { BullmqExecutor } from '../dist/index.js';
import { startWorkers } from './workers.js';
import type { WorkerProcesses } from './workers.js';

const url = inject('redisUrl');
const queueName = `conformance-${process.pid}`;
// The idle-process test's child (test/factory.mjs) inherits these.
process.env.SPINDLE_REDIS_URL = url;
process.env.SPINDLE_QUEUE = queueName;

// Two worker processes run the tasks, as other hosts would, each with up to four tasks ready
// at once (the scale tests' tiny tasks then overlap their round trips to Redis). Tasks whose
// arguments hold the suite's shared-memory boards run on each executor's in-process worker
// instead (shared memory cannot leave the process), through Redis all the same.
let workers: WorkerProcesses;
beforeAll(async () => {
  // A worker that a task ends (the worker-loss tests) is replaced, as on a host. Its job is
  // found stalled once its lock (30 s, the default: shorter ones stall under load) expires.
  workers = await startWorkers(2, { url, queueName, concurrency: 4, respawn: true, stalledInterval: 1_000 });
});
afterAll(async () => {
  await workers.stop();
}, 120_000);

describeExecutorConformance('bullmq', () => new BullmqExecutor({ connection: url, queueName }), {
  factoryModule: new URL('./factory.mjs', import.meta.url),
  // Each dead worker's job waits out its 30 s lock before another worker runs it.
  crashTimeout: 300_000,
});
