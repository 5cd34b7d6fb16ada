// Task bodies for steal-bench.mjs.
import { taskRef } from '@spindle/core';

export function spin(_ctx, iterations, seed) {
  let x = seed | 0;
  for (let i = 0; i < iterations; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  return x >>> 16;
}
function plainFib(n) {
  return n < 2 ? n : plainFib(n - 1) + plainFib(n - 2);
}
export function* fib(ctx, n, threshold) {
  if (n < threshold) return plainFib(n);
  const a = ctx.spawn(fibRef, [n - 1, threshold]);
  const b = ctx.spawn(fibRef, [n - 2, threshold]);
  return (yield ctx.join(a)) + (yield ctx.join(b));
}
const fibRef = taskRef(import.meta.url, 'fib');
