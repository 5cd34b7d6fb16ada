import { describe, expect } from 'vitest';
import { InvalidTaskError } from '@spindle/core';
import type { BodyMode, Suite } from '../harness.js';
import { readStepLog } from '../step-log.js';

/** Tasks queued ahead of the urgent one. */
const BACKLOG = 200;
/** Rounds a parallel executor gets to leave at least half the backlog unstarted when the urgent task is spawned. */
const MOST_ATTEMPTS = 5;

/** Referenced bodies load on their first step; load the module once so that loading does not reorder starts. */
async function warmUp(suite: Suite, mode: BodyMode): Promise<void> {
  if (mode !== 'reference') return;
  const ex = suite.executor();
  const log = suite.stepLog(1);
  await suite.spawn(ex, mode, 'logOnce', [log, 0]);
}

/**
 * Executors that declare `priorities`: a task of a higher priority starts before tasks of
 * a lower priority spawned earlier that have not started, children take their parent's
 * priority unless given one, and a priority that is not a finite number is refused.
 */
export function describePriorities(suite: Suite): void {
  describe('priorities', () => {
    for (const mode of suite.modes) {
      describe(mode === 'closure' ? 'closures' : 'task references', () => {
        suite.test(`a task of a higher priority starts before ${String(BACKLOG)} lower ones spawned just before it`, async () => {
          await warmUp(suite, mode);
          const ex = suite.executor();
          const urgent = BACKLOG + 1;
          for (let attempt = 1; ; attempt++) {
            const log = suite.stepLog(BACKLOG + 1);
            // The thread each task ran on, by its place in the log.
            const threads = suite.stepLog(BACKLOG + 1);
            const handles = Array.from({ length: BACKLOG }, (_, i) => suite.spawn(ex, mode, 'logOnce', [log, i + 1, threads]));
            // Parallel workers start low tasks while the backlog is spawned, for as long as
            // the spawning thread is held up (on a loaded machine, a whole time slice): what
            // counts is the low tasks not yet started when the urgent one is spawned.
            const startedBefore = Atomics.load(log, 0);
            handles.push(suite.spawn(ex, mode, 'logOnce', [log, urgent, threads], { priority: 1 }));
            await Promise.all(handles);
            const order = readStepLog(log);
            const at = order.indexOf(urgent);
            expect(at, 'the urgent task started').toBeGreaterThanOrEqual(0);
            if (!suite.capabilities.parallel) {
              expect(at, 'low tasks that started before the urgent one').toBe(0);
            } else {
              const left = BACKLOG - startedBefore;
              if (left < BACKLOG / 2 && attempt < MOST_ATTEMPTS) continue;
              expect(left, `low tasks not started when the urgent one was spawned (attempt ${String(attempt)})`).toBeGreaterThanOrEqual(BACKLOG / 2);
              // Other threads run low tasks while the urgent one's thread is held up (by the
              // operating system, on a busy machine): what a priority promises is about the
              // thread that runs it, which may have taken a few in the moment before it arrived.
              const thread = Atomics.load(threads, at);
              let before = 0;
              for (let i = startedBefore; i < at; i++) if (Atomics.load(threads, i) === thread) before++;
              expect(before, `of ${String(left)} low tasks not started when the urgent one was spawned, those its thread ran before it`).toBeLessThan(BACKLOG / 20);
            }
            // Within one priority, in spawn order where the executor promises an order.
            if (suite.capabilities.ordering !== 'none') expect(order.filter((who) => who !== urgent)).toEqual(Array.from({ length: BACKLOG }, (_, i) => i + 1));
            return;
          }
        });
      });
    }

    suite.test("children take their parent's priority unless they are given one", async () => {
      const ex = suite.executor();
      expect(await suite.spawn(ex, 'reference', 'childPriorities', [5], { priority: 5 })).toEqual([5, 4]);
      expect(await suite.spawn(ex, 'reference', 'childPriorities', [0])).toEqual([0, -1]);
    });

    suite.test('a priority that is not a finite number is refused at spawn with InvalidTaskError (invalid-options)', async () => {
      const ex = suite.executor();
      for (const priority of ['high', Number.NaN, Number.POSITIVE_INFINITY, null]) {
        expect(() => suite.spawn(ex, 'reference', 'plainValue', [1], { priority: priority as number })).toThrow(InvalidTaskError);
      }
      expect(await suite.spawn(ex, 'reference', 'plainValue', [7], { priority: -3.5 })).toBe(7);
    });
  });
}
