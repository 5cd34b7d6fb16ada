import { describe, expect, it } from 'vitest';
import type { TaskContext } from '@spindle/core';
import { deferred, withExecutor } from './helpers.js';

describe('trampoline priorities', () => {
  it('starts ready tasks of a higher priority first, in spawn order within a priority', async () => {
    await withExecutor(async (ex) => {
      const log: string[] = [];
      const body = (ctx: TaskContext, name: string): void => {
        log.push(name);
      };
      const tasks = [
        ex.spawn(body, ['low-a']),
        ex.spawn(body, ['high-a'], { priority: 2 }),
        ex.spawn(body, ['low-b']),
        ex.spawn(body, ['high-b'], { priority: 2 }),
        ex.spawn(body, ['below'], { priority: -1 }),
      ];
      await Promise.all(tasks);
      expect(log).toEqual(['high-a', 'high-b', 'low-a', 'low-b', 'below']);
    });
  });

  it('does not step a woken task in place while a ready task outranks it', async () => {
    const { TrampolineExecutor } = await import('../src/index.js');
    // Slices of 1 ms: the high-priority task below spends several, so wake-ups run between them.
    const ex = new TrampolineExecutor({ sliceMs: 1 });
    const log: string[] = [];
    const gate = deferred();
    const low = ex.spawn(function* () {
      yield gate.promise;
      log.push('low woke');
    });
    const high = ex.spawn(
      function* (ctx: TaskContext) {
        gate.resolve();
        for (let i = 0; i < 100; i++) {
          // Busy for a tenth of a slice, then ready again: it is in the ready queue
          // whenever a slice ends, which is when the low task's wake-up runs.
          const until = performance.now() + 0.1;
          while (performance.now() < until);
          log.push('high');
          yield ctx.yield();
        }
      },
      [],
      { priority: 1 },
    );
    await Promise.all([low, high]);
    await ex.close();
    expect(ex.stats.slicesExpired).toBeGreaterThan(0);
    expect(log).toEqual([...Array<string>(100).fill('high'), 'low woke']);
  });
});
