// perf_hooks' export, not the global `performance` (a lazy getter on globalThis in Node 20).
import { performance } from 'node:perf_hooks';

const origin = performance.timeOrigin;

/**
 * Epoch milliseconds with sub-millisecond precision, comparable across the pool's threads
 * (`performance.timeOrigin + performance.now()`, as core's event times).
 */
export function epochNow(): number {
  return origin + performance.now();
}
