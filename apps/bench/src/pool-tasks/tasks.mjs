// Task bodies for the `pool` suite, loaded by workers with Node's own loader (plain
// JavaScript, no build step). One module serves every pool: the plain functions are what
// piscina and tinypool call (one argument, picked with the `name` run option) and what
// `workerpool-worker.mjs` registers; the `spindle*` exports are the same bodies in
// Spindle's shape, `(ctx, ...args) => result`.
import { taskRef } from '@spindle/core';

const here = import.meta.url;

/** The tiny task: its argument + 1. */
export function inc(n) {
  return n + 1;
}

/**
 * CPU work of calibrated length: `iterations` rounds of a linear congruential generator
 * seeded with `seed`. Returns the top 16 bits, so a sum over many tasks is a checksum.
 */
export function spin(iterations, seed) {
  let x = seed | 0;
  for (let i = 0; i < iterations; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  return x >>> 16;
}

/** `spin` with one argument, `[iterations, seed]`, for piscina and tinypool. */
export function spinTask(args) {
  return spin(args[0], args[1]);
}

/** Plain recursive Fibonacci: the leaves of the fork–join case. */
export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

export function spindleInc(_ctx, n) {
  return n + 1;
}

export function spindleSpin(_ctx, iterations, seed) {
  return spin(iterations, seed);
}

/**
 * Fork–join Fibonacci on a Spindle executor: at or above `threshold` it spawns fib(n - 1)
 * and fib(n - 2) as children (onto this worker's deque, where idle workers steal them)
 * and joins both; below it, plain recursion.
 */
export function* spindleFib(ctx, n, threshold) {
  if (n < threshold) return fib(n);
  const a = ctx.spawn(spindleFibRef, [n - 1, threshold]);
  const b = ctx.spawn(spindleFibRef, [n - 2, threshold]);
  return (yield ctx.join(a)) + (yield ctx.join(b));
}
const spindleFibRef = taskRef(here, 'spindleFib');
