import type { ExecutorCapabilities } from '@spindle/core';

/** What the BullMQ executor declares: parallel, task references only, arguments and results cloned. */
export const capabilities: ExecutorCapabilities = Object.freeze({
  name: 'bullmq',
  parallel: true,
  closures: false,
  clonesArguments: true,
  timeSliced: false,
  ordering: 'none',
});
