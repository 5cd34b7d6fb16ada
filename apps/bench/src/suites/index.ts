import type { Suite } from '../suite.js';
import { bullmqSuite } from './bullmq.js';
import { diagnosticsSuite } from './diagnostics.js';
import { memorySuite } from './memory.js';
import { poolSuite } from './pool.js';
import { prioritiesSuite } from './priorities.js';
import { roundRobinStep } from './round-robin-step.js';
import { trampolineSuite } from './trampoline.js';
import { transferSuite } from './transfer.js';

/** Every suite, in the order a full run takes them. Add a suite: one file here, one line below. */
export const suites: readonly Suite[] = [roundRobinStep, trampolineSuite, prioritiesSuite, poolSuite, transferSuite, memorySuite, bullmqSuite, diagnosticsSuite];

/** The suite called `name`; throws with the list of known suites otherwise. */
export function findSuite(name: string): Suite {
  const suite = suites.find((candidate) => candidate.name === name);
  if (suite === undefined) {
    throw new RangeError(`unknown suite "${name}"; known suites: ${suites.map((known) => known.name).join(', ')}`);
  }
  return suite;
}
