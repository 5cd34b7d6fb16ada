import type { Timing } from '../src/runner.js';
import type { BenchCase, Suite } from '../src/suite.js';

/** A timing short enough for tests: two rounds of a few samples, no warm-up time. */
export const tiny: Timing = { rounds: 2, time: 1, iterations: 3, warmupTime: 0, warmupIterations: 1 };

/** 1 + 2 + … + n, by a loop: the work the fake cases' subjects do. */
export const sum = (n: number): number => {
  let total = 0;
  for (let i = 1; i <= n; i++) total += i;
  return total;
};

/** Everything of the fake `sum` case but its subjects: 1,000 additions, checksum 500,500, `hand-written` the baseline. */
export const sumCase: Omit<BenchCase, 'subjects'> = {
  name: 'sum',
  description: 'sums 1..1000',
  opsPerRun: 1000,
  op: 'add',
  expected: 500_500,
  baseline: 'hand-written',
};

/** A suite named `fake` holding `bench` alone. */
export function fakeSuite(bench: BenchCase): Suite {
  return { name: 'fake', description: 'a fake suite', packages: [], cases: () => [bench] };
}
