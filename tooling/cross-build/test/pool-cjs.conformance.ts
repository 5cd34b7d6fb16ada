import { createRequire } from 'node:module';
import { describeExecutorConformance } from '@spindle/conformance';
import type * as Pool from '@spindle/pool';

// The CommonJS build of the pool (dist/index.cjs, which requires the CommonJS core, its
// workers too) held to the contract by the conformance suite, an ES module that imports
// the ES module core: two copies of core, as in an application that mixes the two.
const require = createRequire(import.meta.url);
const { PoolExecutor } = require('@spindle/pool') as typeof Pool;

describeExecutorConformance('pool, CommonJS build', () => new PoolExecutor({ threads: 2 }), {
  factoryModule: new URL('./pool-cjs-factory.mjs', import.meta.url),
});
