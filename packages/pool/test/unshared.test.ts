// Children a worker keeps to itself unserialised (see UnsharedChildren): whether they stay
// there, go to the deque at once, or move to it later for idle workers, each runs exactly
// once, and one cancelled before it started never runs.
import { setEnvironmentData } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { TaskCancelledError, taskRef } from '@spindle/core';
import { PoolExecutor, WorkerCrashedError } from '../dist/index.js';

const fixtures = new URL('./unshared-fixtures.mjs', import.meta.url);
const node = taskRef(fixtures, 'node');
const mortal = taskRef(fixtures, 'mortal');
const chain = taskRef(fixtures, 'chain');
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

  it('on 4 workers, 16 trees of depth 9 while 3 of them kill their worker deep inside: every tree settles, each fulfilled one ran every node exactly once, no node ran twice, the pool goes on', async () => {
    const depth = 9;
    const nodes = 2 ** (depth + 1) - 1;
    const roots = 16;
    const dying = new Map([
      [3, 700],
      [8, 1000],
      [13, 520],
    ]);
    // One tree more, run after the crashes (workers started before then see only this counter).
    const runs = counter((roots + 1) * nodes);
    const pool = new PoolExecutor({ threads: 4 });
    try {
      const handles = Array.from({ length: roots }, (_, r) => pool.spawn(mortal, [r * nodes, 0, depth, dying.get(r) ?? -1] as never));
      const outcomes = await Promise.allSettled(handles);
      let fulfilled = 0;
      outcomes.forEach((outcome, r) => {
        const ran = Array.from(runs.subarray(r * nodes, (r + 1) * nodes));
        expect(Math.max(...ran), `tree ${r}: a node ran twice`).toBeLessThanOrEqual(1);
        if (outcome.status === 'fulfilled') {
          fulfilled++;
          expect(outcome.value, `tree ${r}`).toBe(nodes);
          expect(ran.every((n) => n === 1), `tree ${r}: fulfilled, yet a node did not run`).toBe(true);
        } else {
          // A tree of a dying worker fails with it, whichever tree killed it.
          expect(outcome.reason, `tree ${r}`).toBeInstanceOf(WorkerCrashedError);
        }
      });
      for (const r of dying.keys()) expect(outcomes[r]?.status, `tree ${r} killed its worker`).toBe('rejected');
      expect(fulfilled).toBeGreaterThan(0);
      expect(pool.stats.crashes).toBeGreaterThanOrEqual(1);
      expect(pool.stats.live).toBe(0);
      // The replacements run whole trees again.
      expect(await pool.spawn(mortal, [roots * nodes, 0, depth, -1] as never)).toBe(nodes);
      expect(Array.from(runs.subarray(roots * nodes)).every((n) => n === 1)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('a chain of 20,000 tasks on one worker, each joining the child it just spawned: nested steps stay bounded, the chain completes', async () => {
    const pool = new PoolExecutor({ threads: 1 });
    try {
      expect(await pool.spawn(chain, [20_000] as never)).toBe(20_000);
    } finally {
      await pool.close();
    }
  });

  it('a tree of 131,071 nodes on one worker, each joining children it kept, cancelled from the main thread while it runs: it stops part-way (the worker hears its mailbox between nested steps), settles cancelled, nothing ran twice, no worker was terminated', async () => {
    const depth = 16;
    const nodes = 2 ** (depth + 1) - 1;
    const runs = counter(nodes);
    const pool = new PoolExecutor({ threads: 1 });
    try {
      const root = pool.spawn(node, [0, depth, 0] as never);
      // The leftmost node at depth 11: the tree is some way into its run, left side first.
      const seen = 2 ** 11 - 1;
      const waiting = Atomics.waitAsync(runs, seen, 0);
      if (waiting.async) await waiting.value;
      root.cancel();
      await expect(root).rejects.toBeInstanceOf(TaskCancelledError);
      const ran = Array.from(runs);
      expect(ran.filter((n) => n > 1), 'nodes that ran twice').toEqual([]);
      expect(ran.reduce((sum, n) => sum + n, 0)).toBeLessThan(nodes);
      expect(pool.stats.terminated).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
