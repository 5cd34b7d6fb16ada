import { describe, expect } from 'vitest';
import type { StateMachine } from '@spindle/core';
import type { Suite } from '../harness.js';
import { valueOf } from '../outcome.js';

const MiB = 1024 * 1024;

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

class CountingMachine implements StateMachine<number> {
  result = 0;
  private readonly steps: number;

  constructor(steps: number) {
    this.steps = steps;
  }

  next(): boolean {
    return ++this.result >= this.steps;
  }
}

/** Scale: many tasks, one very long task, no stack overflow, no memory that grows with steps taken. */
export function describeScale(suite: Suite): void {
  const mode = suite.preferred;
  const byReference = mode === 'reference';
  const { tasks, steps } = suite.options;
  const fewerSteps = Math.max(1, Math.floor(steps / 10));
  const depth = Math.max(1, Math.floor(tasks / 10));
  describe('scale', () => {
    suite.scaleTest(`${formatCount(tasks)} tasks spawned at once all settle with their results`, async () => {
      const ex = suite.executor();
      const handles = [];
      for (let i = 0; i < tasks; i++) handles.push(suite.spawn(ex, mode, 'oneYield', [i]));
      const values = await Promise.all(handles);
      let sum = 0;
      for (const value of values) sum += value;
      expect(values.length).toBe(tasks);
      expect(sum).toBe((tasks * (tasks - 1)) / 2);
      expect(handles.every((handle) => handle.state === 'fulfilled')).toBe(true);
    });

    suite.scaleTest(`one task spawns ${formatCount(tasks)} children and joins them all`, async () => {
      const ex = suite.executor();
      expect(await valueOf(suite.spawn(ex, mode, 'sumOfChildren', [tasks, byReference]))).toBe((tasks * (tasks - 1)) / 2);
    });

    suite.scaleTest(`a generator task of ${formatCount(steps)} steps finishes without stack overflow`, async () => {
      const ex = suite.executor();
      expect(await valueOf(suite.spawn(ex, mode, 'countSteps', [steps]))).toBe(steps);
    });

    if (suite.capabilities.closures) {
      suite.scaleTest(`a state machine of ${formatCount(steps)} steps finishes without stack overflow`, async () => {
        const ex = suite.executor();
        expect(await valueOf(ex.spawn(new CountingMachine(steps)))).toBe(steps);
      });
    }

    suite.scaleTest(`a task of ${formatCount(fewerSteps)} steps that each wait on an already settled promise finishes`, async () => {
      const ex = suite.executor();
      expect(await valueOf(suite.spawn(ex, mode, 'countWaits', [fewerSteps]))).toBe(fewerSteps);
    });

    suite.scaleTest(`an async body that awaits ctx.yield() ${formatCount(fewerSteps)} times finishes`, async () => {
      const ex = suite.executor();
      expect(await valueOf(suite.spawn(ex, mode, 'asyncCountTurns', [fewerSteps]))).toBe(fewerSteps);
    });

    suite.scaleTest(`a chain of ${formatCount(depth)} tasks, each joining the next, unwinds`, async () => {
      const ex = suite.executor();
      expect(await valueOf(suite.spawn(ex, mode, 'nestedJoin', [depth, byReference]))).toBe(depth);
    });

    suite.scaleTest(`the heap does not grow with the steps a task has taken (${formatCount(steps)} steps)`, async () => {
      const ex = suite.executor();
      const sample = await valueOf(suite.spawn(ex, mode, 'heapOverSteps', [steps]));
      expect(sample.steps).toBe(steps);
      // Sampled after a tenth of the steps and after the last one. With a forced collection
      // the difference is what the executor kept (a few hundred KiB either way when it keeps
      // nothing); a leak of even 10 bytes a step over 900,000 steps would show. Without a
      // forced collection, garbage blurs it, so the bound only guards against gross leaks.
      const bound = sample.collected ? 8 * MiB : 96 * MiB;
      const grown = sample.late - sample.early;
      expect(grown, `the heap grew by ${(grown / MiB).toFixed(1)} MiB over ${formatCount(steps - Math.floor(steps / 10))} steps`).toBeLessThan(bound);
    });
  });
}
