import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { Executor } from '@spindle/core';
import { contractProperty, cornerCases, runProgram } from './contract-model.js';
import type { Program } from './contract-model.js';

/** Options of {@link describeExecutorProperties}. */
export interface PropertyOptions {
  /**
   * A second factory whose executor hands the thread back often (a tiny time slice), so
   * that steps cross turns of the event loop. Tried with fewer runs.
   */
  readonly sliced?: () => Executor;
  /** Random programs per run. Default: `SPINDLE_PROPERTY_RUNS` or 1,000. */
  readonly runs?: number;
  /** Programs found by shrinking, kept as regression cases beside the built-in corners. */
  readonly regressions?: readonly (readonly [string, Program])[];
}

/**
 * Declares property-based tests of the task contract for an executor that accepts
 * closures: random programs of spawn, join, yield, cancel, throw and close (drain, cancel
 * or none), in generator and `async` bodies, each checked against the contract's rules —
 * every task settles exactly once with an outcome the rules allow, every `finally` runs
 * once, no parent settles before its children.
 */
export function describeExecutorProperties(name: string, factory: () => Executor, options: PropertyOptions = {}): void {
  const runs = options.runs ?? Number(process.env.SPINDLE_PROPERTY_RUNS ?? 1000);
  const { sliced } = options;
  describe(`${name}: random programs against the contract model`, () => {
    it('every task settles exactly once with the outcome the model allows; finally runs once', async () => {
      await fc.assert(contractProperty(factory), { numRuns: runs });
    });
    if (sliced !== undefined) {
      it('the same with a tiny time slice (steps cross event-loop turns)', async () => {
        await fc.assert(contractProperty(sliced), { numRuns: Math.max(1, Math.round(runs / 10)) });
      });
    }
  });
  describe(`${name}: kept counterexamples`, () => {
    for (const [title, program] of [...cornerCases, ...(options.regressions ?? [])]) {
      it(title, async () => {
        await runProgram(program, factory);
      });
    }
  });
}
