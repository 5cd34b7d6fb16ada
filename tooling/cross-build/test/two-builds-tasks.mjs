// Task bodies for the two-builds child, spawned by task reference (the pool runs them in
// its workers). Plain JavaScript, loaded by Node as it is.
import { taskRef } from '@spindle/core';

const here = import.meta.url;

/** Returns its argument. */
export function value(_ctx, v) {
  return v;
}

/** Takes `n` steps (bare yields) and returns `n`. */
export function* steps(_ctx, n) {
  for (let i = 1; i < n; i++) yield;
  return n;
}

/** Awaits its turn and a timer `n` times: steps that park, and wakes. */
export async function awaits(ctx, n) {
  for (let i = 0; i < n; i++) {
    await ctx.yield();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return n;
}

/** Recursive Fibonacci, every call a child task: by reference, or as this closure. */
export function* fib(ctx, n, byReference) {
  if (n < 2) return n;
  const body = byReference ? taskRef(here, 'fib') : fib;
  const a = ctx.spawn(body, [n - 1, byReference]);
  const b = ctx.spawn(body, [n - 2, byReference]);
  return (yield ctx.join(a)) + (yield ctx.join(b));
}

/** Parks on a promise that never settles, until it is cancelled. */
export function* parkForever() {
  yield new Promise(() => undefined);
}
