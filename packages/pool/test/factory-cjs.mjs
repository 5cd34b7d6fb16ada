// The factory for the conformance suite's idle-process test on the CommonJS build: the
// package as `require` loads it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { PoolExecutor } = require('@spindle/pool');

export default () => new PoolExecutor({ threads: 2 });
