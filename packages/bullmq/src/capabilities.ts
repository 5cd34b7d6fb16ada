import type { ExecutorCapabilities } from '@spindle/core';

/** What the BullMQ executor declares: parallel, task references only, arguments and results cloned, and it recovers from worker processes that die. */
export const capabilities: ExecutorCapabilities = Object.freeze({
  name: 'bullmq',
  parallel: true,
  closures: false,
  clonesArguments: true,
  timeSliced: false,
  ordering: 'none',
  // A worker process can die under its jobs: BullMQ's stalled-job check runs them again elsewhere.
  losesWorkers: true,
});
