// Shutdown, written once for every executor: close() in drain and cancel modes while tasks
// are mid-flight, in a fresh node process that imports the built package (shutdown-child.mjs):
// every task settles as the mode says, a closed executor refuses work, and the process then
// exits on its own (no handle left open). The tasks are the child's; how long it may take is
// the executor's own.
//
// TypeScript that Vitest compiles when a test imports it; `vitest` and the linters come from
// the workspace root.
import { describe, expect, it } from 'vitest';
import { childScript, runNodeChild, summaryOf } from './run-node-child.js';

/** The JSON line shutdown-child.mjs prints. */
export interface ShutdownSummary {
  readonly mode: string;
  readonly tasks: number;
  readonly fulfilled: number;
  readonly cancelled: number;
  readonly lost: number;
  readonly problems: readonly string[];
}

export interface ShutdownOptions {
  /** URL of a module whose default export makes the executor; the child imports it. */
  readonly factoryModule: URL;
  /** The child is killed after this long, and the test fails: it did not exit on its own. */
  readonly childTimeoutMs: number;
}

// shutdown-child.mjs starts 40 work tasks and 10 parents (plus 2 parked tasks in cancel
// mode); fewer outcomes than this means some handle went missing from its summary.
const MIN_TASKS = 50;
// Longer than the child's timeout, so that a child that hangs on exit is killed and reported
// as such, not cut short by Vitest's own timeout.
const TEST_MARGIN_MS = 10_000;

/** Registers the shutdown tests (drain and cancel) for one executor. */
export function describeShutdown(name: string, options: ShutdownOptions): void {
  const { factoryModule, childTimeoutMs } = options;

  describe(`${name} shutdown in a child process`, () => {
    for (const mode of ['drain', 'cancel'] as const) {
      it(
        `close({ mode: '${mode}' }) mid-flight: every task settles, nothing is lost, and the process exits on its own`,
        { timeout: childTimeoutMs + TEST_MARGIN_MS },
        async () => {
          const run = await runNodeChild([], childScript('shutdown-child.mjs'), [factoryModule.href, mode], childTimeoutMs);
          const summary = summaryOf(run) as ShutdownSummary;
          expect(summary.problems).toEqual([]);
          expect(summary.lost).toBe(0);
          expect(summary.tasks).toBeGreaterThanOrEqual(MIN_TASKS);
          if (mode === 'drain') expect(summary.fulfilled).toBe(summary.tasks);
          else expect(summary.cancelled).toBeGreaterThan(0);
        },
      );
    }
  });
}
