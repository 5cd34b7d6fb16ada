// Task bodies for the package's own tests, loaded by reference in worker processes.
import { taskRef } from '@spindle/core';

export function add(_ctx, a, b) {
  return a + b;
}

export function* fib(ctx, n) {
  if (n < 2) return n;
  const a = ctx.spawn(fibRef, [n - 1]);
  const b = ctx.spawn(fibRef, [n - 2]);
  return (yield a) + (yield b);
}
export const fibRef = taskRef(import.meta.url, 'fib');

export function fails(_ctx, message) {
  const error = new TypeError(message);
  error.name = 'TypeError';
  throw error;
}

export async function sleepy(ctx, ms) {
  await new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    ctx.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(ctx.signal.reason);
    });
  });
  return ms;
}

/** Busy for about `ms` of CPU, then returns its id: a task a killed worker may be in the middle of. */
export function busy(_ctx, id, ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
  return id;
}

export function whereAmI() {
  return process.pid;
}
