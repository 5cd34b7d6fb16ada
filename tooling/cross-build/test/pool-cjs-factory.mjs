// The idle-process test's factory for the CommonJS pool build: a plain ES module that
// `require`s the pool, as an ES module application with a CommonJS dependency would.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { PoolExecutor } = require('@spindle/pool');

export default () => new PoolExecutor({ threads: 2 });
