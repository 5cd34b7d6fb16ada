import { RoundRobinExecutor } from '@spindle/round-robin';
import type { TaskContext } from '@spindle/core';
import { sleepSync } from './sleep-sync.js';
import { fetchDelays, fetchValues } from './stage.js';
import type { Stage } from './stage.js';

/**
 * get_numbers with blocking fetches: one task, one step, the thread held for every fetch
 * in turn. It runs as a task only so that the recorder sees it (one long slice).
 */
function getNumbersBlocking(_ctx: TaskContext, delays: readonly number[], lines: string[]): number[] {
  const started = performance.now();
  return fetchValues.map((value, at) => {
    sleepSync(delays[at] ?? 0);
    lines.push(`fetch ${String(at + 1)} (${String(delays[at] ?? 0)} ms) done at ${(performance.now() - started).toFixed(1)} ms`);
    return value;
  });
}

/** Stage 1: three slow fetches one after another. */
export const synchronousStage: Stage = {
  index: 1,
  name: 'synchronous',
  title: 'Synchronous',
  summary: 'Three blocking fetches one after another (Atomics.wait): wall time is the sum of the delays, and the thread can do nothing else meanwhile.',
  run: async (sizes) => {
    const executor = new RoundRobinExecutor({ label: 'synchronous' });
    const lines: string[] = [];
    try {
      const numbers = await executor.spawn(getNumbersBlocking, [fetchDelays(sizes.delayMs), lines], { name: 'get_numbers (blocking)' });
      await executor.close();
      return { result: numbers, notes: [...lines, 'CPU stays near zero: Atomics.wait blocks without spinning'] };
    } finally {
      await executor.close({ mode: 'cancel' });
    }
  },
};
