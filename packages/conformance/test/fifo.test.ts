import { describeExecutorConformance } from '@spindle/conformance';
import { compiledModule } from './compiled-executors.js';
import { FifoExecutor } from './executors/fifo-executor.js';

// A minimal correct executor passes the whole suite.
describeExecutorConformance('fifo (test executor)', () => new FifoExecutor(), {
  factoryModule: compiledModule('fifo-factory'),
});
