import type { ExecutorCapabilities } from '@spindle/core';

/**
 * What the pool declares: parallel, task references only, arguments and results cloned,
 * priorities (see the README for what they order), and it can lose a worker (a crash, a resource limit, `process.exit` in a task), after
 * which the tasks queued on it run elsewhere.
 */
export const capabilities: ExecutorCapabilities = Object.freeze({
  name: 'pool',
  parallel: true,
  closures: false,
  clonesArguments: true,
  timeSliced: false,
  ordering: 'none',
  losesWorkers: true,
  priorities: true,
});
