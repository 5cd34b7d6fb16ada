// Loaded by the conformance suite's idle-process test in a fresh node process: it must be
// plain JavaScript importing the built package.
import { PoolExecutor } from '@spindle/pool';

export default () => new PoolExecutor({ threads: 2 });
