import { describeExecutorConformance } from '@spindle/conformance';
import { PoolExecutor } from '../dist/index.js';

describeExecutorConformance('pool', () => new PoolExecutor({ threads: 2 }), {
  factoryModule: new URL('./factory.mjs', import.meta.url),
});
