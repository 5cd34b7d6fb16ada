import { describeExecutorConformance } from '@spindle/conformance';
import { RoundRobinExecutor } from '../src/index.js';

describeExecutorConformance('round-robin', () => new RoundRobinExecutor(), {
  factoryModule: new URL('./factory.mjs', import.meta.url),
});

describeExecutorConformance('round-robin with a 0.1 ms slice', () => new RoundRobinExecutor({ sliceMs: 0.1 }), {
  scale: { tasks: 20_000, steps: 200_000 },
});
