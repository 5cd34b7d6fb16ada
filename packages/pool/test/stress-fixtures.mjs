// Task bodies for the pool's stress and fault tests, loaded by reference in the workers
// (plain JavaScript: workers load it as is).
import { taskRef } from '@spindle/core';

const here = import.meta.url;

/** How many children node `id` of a random tree has (deterministic in the id). */
export function childCount(id, depth) {
  if (depth === 0) return 0;
  let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h % 4;
}

/** The value a tree node returns: its id plus its children's values. */
export function expectedTree(id, depth) {
  let sum = id;
  for (let k = 0; k < childCount(id, depth); k++) sum += expectedTree(id * 4 + 1 + k, depth - 1);
  return sum;
}

/** A node of a random tree: counts its run, spawns its children by reference, joins them. */
export function* tree(ctx, runs, base, id, depth) {
  Atomics.add(runs, base + id, 1);
  const children = [];
  for (let k = 0; k < childCount(id, depth); k++) children.push(ctx.spawn(taskRef(here, 'tree'), [runs, base, id * 4 + 1 + k, depth - 1]));
  let sum = id;
  // A little work per node, so that trees overlap and workers steal.
  let x = 0;
  for (let i = 0; i < 2_000; i++) x = (x + i * id) | 0;
  if (x === 0.5) sum++;
  for (const child of children) sum += yield ctx.join(child);
  return sum;
}

/** Kills its worker: `exit` calls process.exit, `throw` throws outside any task. */
export function* crash(_ctx, how) {
  if (how === 'exit') process.exit(7);
  setTimeout(() => {
    throw new Error('thrown outside any task');
  }, 0);
  yield new Promise(() => undefined);
}

/** Returns its argument + 1. */
export function inc(_ctx, n) {
  return n + 1;
}



/** About `ms` of CPU work, then returns 1. */
export function busy(_ctx, ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
  return 1;
}

/** Spawns `k` busy children onto this worker's deque and joins them. */
export function* busyFanOut(ctx, k, ms) {
  const children = [];
  for (let i = 0; i < k; i++) children.push(ctx.spawn(taskRef(here, 'busy'), [ms]));
  let sum = 0;
  for (const child of children) sum += yield ctx.join(child);
  return sum;
}
