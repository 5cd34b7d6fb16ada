import { describeExecutorConformance } from '@spindle/conformance';
import { compiledModule } from './compiled-executors.js';
import createReferencesOnlyExecutor from './executors/fifo-references-factory.js';

// The same executor declaring "task references only, arguments cloned", as a worker pool
// does: the suite must then hand every body over by reference and check cloning.
describeExecutorConformance('fifo, references only (test executor)', createReferencesOnlyExecutor, {
  factoryModule: compiledModule('fifo-references-factory'),
});
