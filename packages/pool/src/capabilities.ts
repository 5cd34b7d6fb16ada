import type { ExecutorCapabilities } from '@spindle/core';

/** What the pool declares: parallel, task references only, arguments and results cloned. */
export const capabilities: ExecutorCapabilities = Object.freeze({
  name: 'pool',
  parallel: true,
  closures: false,
  clonesArguments: true,
  timeSliced: false,
  ordering: 'none',
});
