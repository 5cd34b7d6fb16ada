import { describeExecutorProperties } from '@spindle/conformance';
import { RoundRobinExecutor } from '../src/index.js';

describeExecutorProperties('round-robin', () => new RoundRobinExecutor(), {
  sliced: () => new RoundRobinExecutor({ sliceMs: 0.05 }),
});
