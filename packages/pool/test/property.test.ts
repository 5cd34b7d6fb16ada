// Property-based tests: the shared random programs (tooling/executor-tests), interpreted in
// the pool's workers by reference.
import { describeReferenceProperties } from '@spindle/executor-tests/describe-reference-properties';
import { PoolExecutor } from '../dist/index.js';

describeReferenceProperties('pool', {
  make: () => new PoolExecutor({ threads: 2 }),
  runs: 300,
  closeRuns: 20,
  timeout: 120_000,
});
