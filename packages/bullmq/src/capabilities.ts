import type { ExecutorCapabilities } from '@spindle/core';

/**
 * What the BullMQ executor declares: parallel, task references only, arguments and results
 * cloned, it recovers from worker processes that die, and BullMQ's job priorities order
 * the jobs waiting to start.
 */
export const capabilities: ExecutorCapabilities = Object.freeze({
  name: 'bullmq',
  parallel: true,
  closures: false,
  clonesArguments: true,
  timeSliced: false,
  ordering: 'none',
  // A worker process can die under its jobs: BullMQ's stalled-job check runs them again elsewhere.
  losesWorkers: true,
  // Waiting jobs start highest priority first (BullMQ's prioritized jobs; see spawn-options.ts).
  priorities: true,
});
