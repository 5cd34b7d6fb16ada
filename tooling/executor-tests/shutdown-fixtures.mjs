// Task bodies for the shutdown tests (plain JavaScript, loaded by reference on every
// executor, the pool's workers included).
import { taskRef } from '@spindle/core';

const here = import.meta.url;

/** Takes `steps` steps, waiting on a short timer every tenth, and returns `steps`. */
export function* work(ctx, steps) {
  for (let i = 0; i < steps; i++) {
    if (i % 10 === 9) yield new Promise((resolve) => setTimeout(resolve, 1));
    else yield ctx.yield();
  }
  return steps;
}

/** Spawns `children` work tasks of 30 steps, joins them, returns the sum. */
export function* parent(ctx, children) {
  const handles = [];
  for (let i = 0; i < children; i++) handles.push(ctx.spawn(taskRef(here, 'work'), [30]));
  let sum = 0;
  for (const handle of handles) sum += yield ctx.join(handle);
  return sum;
}

/** Parks until the task is cancelled (no timer: only the abort wakes it). */
export function* parked(ctx) {
  yield new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
  return 'woken';
}
