// Children a worker keeps to itself unserialised (see UnsharedChildren): whether they stay
// there, go to the deque at once, or move to it later for idle workers, each runs exactly
// once, and one cancelled before it started never runs.
import { setEnvironmentData } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { taskRef } from '@spindle/core';
import { PoolExecutor } from '../dist/index.js';

const fixtures = new URL('./unshared-fixtures.mjs', import.meta.url);
const node = taskRef(fixtures, 'node');
const RUNS_KEY = 'spindle-test:unshared-runs';

/** A fresh run counter, found by every worker started after this call. */
function counter(nodes: number): Int32Array {
  const runs = new Int32Array(new SharedArrayBuffer(nodes * 4));
  setEnvironmentData(RUNS_KEY, runs);
  return runs;
}

describe('children kept in the worker that spawned them', () => {
  for (const threads of [1, 2, 8, 16]) {
    it(`a binary tree of depth 12 on ${threads} worker(s), primitive arguments only: every node runs exactly once`, async () => {
      const depth = 12;
      const nodes = 2 ** (depth + 1) - 1;
      const runs = counter(nodes);
      const pool = new PoolExecutor({ threads });
      try {
        const counts = await Promise.all([0, 0, 0].map(() => pool.spawn(node, [0, depth, 0] as never)));
        expect(counts).toEqual([nodes, nodes, nodes]);
        const wrong = Array.from(runs).flatMap((n, id) => (n === 3 ? [] : [[id, n]]));
        expect(wrong, 'nodes that did not run exactly once per tree').toEqual([]);
      } finally {
        await pool.close();
      }
    });
  }

  it('on 8 workers, children cancelled by their parent right after their spawn: none runs twice, and every node under no cancelled edge runs once', async () => {
    const depth = 11;
    const cancelEvery = 3;
    const nodes = 2 ** (depth + 1) - 1;
    const runs = counter(nodes);
    const pool = new PoolExecutor({ threads: 8 });
    try {
      const count = (await pool.spawn(node, [0, depth, cancelEvery] as never)) as number;
      /** Whether the way from the root to `id` passes no right child cancelled by its parent. */
      const whole = (id: number): boolean => {
        for (let at = id; at > 0; at = (at - 1) >> 1) if (at % 2 === 0 && ((at - 1) >> 1) % cancelEvery === 0) return false;
        return true;
      };
      let mustRun = 0;
      for (let id = 0; id < nodes; id++) {
        expect(runs[id], `runs of node ${id}`).toBeLessThanOrEqual(1);
        if (whole(id)) {
          mustRun++;
          expect(runs[id], `node ${id}, under no cancelled edge`).toBe(1);
        }
      }
      expect(count).toBeGreaterThanOrEqual(mustRun);
    } finally {
      await pool.close();
    }
  });
});
