import { describe, it } from 'vitest';
import fc from 'fast-check';
import { TrampolineExecutor } from '../src/index.js';
import { contractProperty, cornerCases, propertyRuns, runProgram } from './property-model.js';
import type { Program } from './property-model.js';

const make = (): TrampolineExecutor => new TrampolineExecutor();
const makeSliced = (): TrampolineExecutor => new TrampolineExecutor({ sliceMs: 0.05 });

describe('trampoline: random programs against the contract model', () => {
  it('every task settles exactly once with the outcome the model allows; finally runs once', async () => {
    await fc.assert(contractProperty(make), propertyRuns);
  });

  it('the same with a tiny time slice (steps cross event-loop turns)', async () => {
    await fc.assert(contractProperty(makeSliced), { numRuns: 100 });
  });
});

// Shrunk counterexamples and hand-picked corners, kept as regression cases.
const regressions: readonly (readonly [string, Program])[] = [...cornerCases];

describe('trampoline: kept counterexamples', () => {
  for (const [name, program] of regressions) {
    it(name, async () => {
      await runProgram(program, make);
    });
  }
});
