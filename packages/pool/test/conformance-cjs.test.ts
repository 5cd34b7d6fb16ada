// The conformance suite on the package's CommonJS build, as an app that `require`s it gets
// it: run from this ES module harness, with the ES module build of core alongside.
import { createRequire } from 'node:module';
import { describeExecutorConformance } from '@spindle/conformance';
import type { PoolExecutor as EsmPoolExecutor } from '../dist/index.js';

const require = createRequire(import.meta.url);
const { PoolExecutor } = require('../dist/index.cjs') as { readonly PoolExecutor: typeof EsmPoolExecutor };

describeExecutorConformance('pool (CommonJS build)', () => new PoolExecutor({ threads: 2 }), {
  factoryModule: new URL('./factory-cjs.mjs', import.meta.url),
});
