import { describe, expect } from 'vitest';
import type { Suite } from '../harness.js';
import { valueOf } from '../outcome.js';

function sequentialFib(n: number): number {
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

/** The same fork–join program gives the same answer on every executor. */
export function describeForkJoin(suite: Suite): void {
  describe('fork–join', () => {
    for (const mode of suite.modes) {
      const byReference = mode === 'reference';
      const how = mode === 'closure' ? 'closures' : 'task references';
      suite.test(`recursive fib(16) with spawn and join, generators (${how})`, async () => {
        const ex = suite.executor();
        expect(await valueOf(suite.spawn(ex, mode, 'fib', [16, byReference]))).toBe(sequentialFib(16));
      });

      suite.test(`recursive fib(13) with spawn and join, async functions (${how})`, async () => {
        const ex = suite.executor();
        expect(await valueOf(suite.spawn(ex, mode, 'asyncFib', [13, byReference]))).toBe(sequentialFib(13));
      });

      suite.test(`a sum over 1,000 joined children (${how})`, async () => {
        const ex = suite.executor();
        expect(await valueOf(suite.spawn(ex, mode, 'sumOfChildren', [1_000, byReference]))).toBe(499_500);
      });
    }

    suite.test('several fork–join programs at once on one executor each get their own answer', async () => {
      const ex = suite.executor();
      const mode = suite.preferred;
      const byReference = mode === 'reference';
      const ns = [5, 9, 11, 7, 12, 3];
      const results = await Promise.all(ns.map((n) => valueOf(suite.spawn(ex, mode, 'fib', [n, byReference]))));
      expect(results).toEqual(ns.map(sequentialFib));
    });
  });
}
