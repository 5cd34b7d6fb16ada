// Property-based tests: the shared random programs (tooling/executor-tests) as BullMQ jobs,
// run by each executor's in-process worker through the Redis the test setup started (the
// bodies report on a BroadcastChannel, which reaches only this process).
import { inject } from 'vitest';
import { describeReferenceProperties } from '@spindle/executor-tests/describe-reference-properties';
import { BullmqExecutor } from '../dist/index.js';

const connection = inject('redisUrl');
let queues = 0;

describeReferenceProperties('bullmq', {
  // A queue per executor: a program's leftovers never reach the next one's worker.
  make: () => new BullmqExecutor({ connection, queueName: `property-${process.pid}-${++queues}`, localWorker: true }),
  runs: 40,
  closeRuns: 8,
  timeout: 240_000,
});
