// Task bodies for the pool stage. Workers load task references with Node's own loader,
// so this module is plain JavaScript (no build step); pool-tasks.d.mts gives its types.
import { taskRef } from '@spindle/core';

/** CPU work of a set length: `iterations` rounds of a linear congruential generator. */
export function crunch(_ctx, iterations, seed) {
  let x = seed | 0;
  for (let i = 0; i < iterations; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  return x >>> 16;
}
export const crunchRef = taskRef(import.meta.url, 'crunch');

/** How much work task `index` gets: every fourth is heavy (8×), so a static split is uneven. */
export function costOf(index, unit) {
  return index % 4 === 0 ? unit * 8 : unit;
}

/**
 * Spawns every task from inside one worker: they all land on that worker's own deque, and
 * the other workers only get work by stealing it. Joins them all; the sum is a checksum.
 */
export function* spread(ctx, tasks, unit) {
  const children = [];
  for (let index = 0; index < tasks; index++) {
    children.push(ctx.spawn(crunchRef, [costOf(index, unit), index + 1], { name: `crunch ${index}` }));
  }
  let sum = 0;
  for (const child of children) sum += yield ctx.join(child);
  return sum;
}
export const spreadRef = taskRef(import.meta.url, 'spread');
