import { describe, expect, it } from 'vitest';
import type { Suite } from '../harness.js';
import { runIdleChild } from '../idle-process.js';
import type { IdleScenario } from '../idle-process.js';

const expectedReport: Record<IdleScenario, unknown> = {
  unused: false,
  worked: [100, 'slept', 'TaskCancelledError'],
};

/** An idle executor holds nothing that keeps the process alive (checked in a child process). */
export function describeIdle(suite: Suite): void {
  const factoryModule = suite.options.factoryModule;
  if (factoryModule === undefined) return;
  describe('an idle executor', () => {
    const cases: readonly (readonly [IdleScenario, string])[] = [
      ['unused', 'one that was made and never used'],
      ['worked', 'one that ran tasks (a timer wait, many steps, a cancellation) and has none left'],
    ];
    for (const [scenario, what] of cases) {
      it(`does not keep the process alive: ${what}`, async () => {
        const deadline = suite.options.idleExitTimeout;
        const run = await runIdleChild(factoryModule, suite.options.fixturesModule, scenario, deadline);
        expect(run.killed, `the process did not exit on its own within ${deadline} ms: something keeps it alive`).toBe(false);
        expect(run.code, `the child process failed: ${run.stderr}`).toBe(0);
        expect(JSON.parse(run.stdout)).toEqual(expectedReport[scenario]);
      }, suite.options.idleExitTimeout + 10_000);
    }
  });
}
