// Run by broken-executors.test.ts in a child vitest, once per broken executor (named by
// SPINDLE_BROKEN_EXECUTOR). Not matched by the package's own test pattern.
import { describeExecutorConformance } from '@spindle/conformance';
import { brokenExecutors } from '../executors/broken-executors.js';
import type { BrokenExecutorName } from '../executors/broken-executors.js';

const name = process.env.SPINDLE_BROKEN_EXECUTOR ?? '';
if (!(name in brokenExecutors)) throw new Error(`SPINDLE_BROKEN_EXECUTOR must name a broken executor, got "${name}"`);

describeExecutorConformance(name, brokenExecutors[name as BrokenExecutorName], {
  // The suite in full, smaller where size only costs time, with short hang detection:
  // a broken executor hangs some tests (each then fails by timeout), while a correct one
  // takes milliseconds for each.
  scale: { tasks: 2_000, steps: 20_000 },
  testTimeout: 500,
  scaleTimeout: 10_000,
});
