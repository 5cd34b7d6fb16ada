// Task bodies for the tests of children a worker keeps unserialised (primitive arguments
// only): they count their runs in a buffer every thread finds in its environment data.
import { getEnvironmentData } from 'node:worker_threads';
import { taskRef } from '@spindle/core';

const here = import.meta.url;
export const RUNS_KEY = 'spindle-test:unshared-runs';

function runs() {
  return getEnvironmentData(RUNS_KEY);
}

/**
 * A node of a binary tree numbered heap-wise: counts its run, spawns its two children with
 * primitive arguments only, and returns how many nodes of its subtree ran to the end. When
 * `cancelEvery` divides its id, it cancels its second child right after spawning it: a child
 * kept on this worker has not started then and never runs; one a thief took may have started.
 */
export function* node(ctx, id, depth, cancelEvery) {
  Atomics.add(runs(), id, 1);
  // A test may wait for a given node to have run.
  Atomics.notify(runs(), id);
  if (depth === 0) return 1;
  const left = ctx.spawn(taskRef(here, 'node'), [id * 2 + 1, depth - 1, cancelEvery]);
  const right = ctx.spawn(taskRef(here, 'node'), [id * 2 + 2, depth - 1, cancelEvery]);
  const cancelled = cancelEvery > 0 && id % cancelEvery === 0;
  if (cancelled) right.cancel();
  let count = 1 + (yield ctx.join(left));
  try {
    count += yield ctx.join(right);
  } catch (error) {
    if (!cancelled) throw error;
  }
  return count;
}

/**
 * As {@link node}, its runs counted at `base + id`, but the node numbered `dieAt` ends its
 * worker (process.exit) instead of running: a tree of children kept on that worker dies
 * with it.
 */
export function* mortal(ctx, base, id, depth, dieAt) {
  if (id === dieAt) process.exit(9);
  Atomics.add(runs(), base + id, 1);
  if (depth === 0) return 1;
  const left = ctx.spawn(taskRef(here, 'mortal'), [base, id * 2 + 1, depth - 1, dieAt]);
  const right = ctx.spawn(taskRef(here, 'mortal'), [base, id * 2 + 2, depth - 1, dieAt]);
  return 1 + (yield ctx.join(left)) + (yield ctx.join(right));
}

/**
 * A chain of `n` tasks, each spawning the next and joining it at once: joined before they
 * start, they would all run nested in one another's steps if nothing bounded the nesting.
 */
export function* chain(ctx, n) {
  if (n === 0) return 0;
  return 1 + (yield ctx.join(ctx.spawn(taskRef(here, 'chain'), [n - 1])));
}
