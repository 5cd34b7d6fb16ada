import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { describe, expect } from 'vitest';
import type { TaskHandle } from '@spindle/core';
import type { Suite } from '../harness.js';
import { outcomeOf } from '../outcome.js';
import type { Outcome } from '../outcome.js';

/** The thread running the tests, which the crashing fixtures refuse to end. */
const testThread = `${String(process.pid)}:${String(threadId)}`;

/** A fresh file path for a crashing fixture's "crashed once" marker, and a way to remove it. */
async function markerFile(): Promise<{ readonly path: string; readonly remove: () => Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'spindle-conformance-crash-'));
  return { path: join(directory, 'crashed'), remove: () => rm(directory, { recursive: true, force: true }) };
}

/** Waits for every handle and counts how often each one settled (it must be once). */
async function settleCounts(handles: readonly TaskHandle<unknown>[]): Promise<{ outcomes: Outcome<unknown>[]; counts: number[] }> {
  const counts = handles.map(() => 0);
  handles.forEach((handle, i) => {
    const count = (): void => {
      counts[i] = (counts[i] ?? 0) + 1;
    };
    handle.then(count, count);
  });
  const outcomes = await Promise.all(handles.map((handle) => outcomeOf(handle)));
  return { outcomes, counts };
}

/** Asserts that task `i` of `outcomes` fulfilled with `first + i`. */
function expectOwnValues(outcomes: readonly Outcome<unknown>[], first: number): void {
  outcomes.forEach((outcome, i) => {
    expect(outcome, `task ${String(i)} settled with its own value`).toEqual({ status: 'fulfilled', value: first + i });
  });
}

/**
 * Executors that declare `losesWorkers`: a worker (thread or process) dies while tasks are
 * queued, and none of them is lost. The crashing task ends its worker with
 * `process.exit()` the first time it runs; it may reject, or fulfil if the executor runs
 * it again. Every other task takes one step, so none of them can be running on the worker
 * when it dies: each must fulfil with its own value, exactly once, and the executor must
 * still drain on close.
 */
export function describeWorkerLoss(suite: Suite): void {
  describe('a worker that dies (losesWorkers)', () => {
    suite.crashTest('a worker that dies while tasks are queued loses none of them: each settles once, with its own value (three crashes)', async () => {
      const ex = suite.executor();
      for (let round = 0; round < 3; round++) {
        const marker = await markerFile();
        try {
          // A few ahead of the crash, and many queued behind it.
          const before = Array.from({ length: 50 }, (_, i) => suite.spawn(ex, 'reference', 'plainValue', [i]));
          const crasher = suite.spawn(ex, 'reference', 'crashWorkerOnce', [marker.path, testThread]);
          const after = Array.from({ length: 350 }, (_, i) => suite.spawn(ex, 'reference', 'plainValue', [50 + i]));
          // Observed at once: its rejection may come first, and must not go unhandled.
          const crashOutcome = outcomeOf(crasher);
          const { outcomes, counts } = await settleCounts([...before, ...after]);
          const crash = await crashOutcome;
          if (crash.status === 'rejected') expect(crash.reason, 'the crashing task rejects with an error').toBeInstanceOf(Error);
          expect(existsSync(marker.path), `the crashing task ended a worker (it settled with ${String(crash.status === 'rejected' ? crash.reason : crash.value)})`).toBe(true);
          if (crash.status === 'fulfilled') expect(crash.value).toBe('ran again after its worker died');
          expectOwnValues(outcomes, 0);
          expect(counts.filter((n) => n !== 1), 'tasks that did not settle exactly once').toEqual([]);
        } finally {
          await marker.remove();
        }
      }
      await ex.close();
    });

    suite.crashTest("a worker that dies with its task's children queued: the children settle and then the task; the others are not lost", async () => {
      const ex = suite.executor();
      const marker = await markerFile();
      try {
        const children = 32;
        const parent = suite.spawn(ex, 'reference', 'crashAfterSpawning', [children, marker.path, testThread]);
        const others = Array.from({ length: 50 }, (_, i) => suite.spawn(ex, 'reference', 'plainValue', [i]));
        const { outcomes, counts } = await settleCounts([parent, ...others]);
        const [crash, ...rest] = outcomes;
        expect(existsSync(marker.path), 'the crashing task ended a worker').toBe(true);
        // Run again after the crash, it joins its children and returns their sum.
        if (crash?.status === 'fulfilled') expect(crash.value).toBe((children * (children - 1)) / 2);
        expectOwnValues(rest, 0);
        expect(counts.filter((n) => n !== 1), 'tasks that did not settle exactly once').toEqual([]);
        await ex.close();
      } finally {
        await marker.remove();
      }
    });
  });
}
