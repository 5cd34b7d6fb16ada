import type { Executor } from '@spindle/core';
import { FifoExecutor } from './fifo-executor.js';

/** The FIFO executor declaring "task references only, arguments cloned", as a pool would. */
export default function createReferencesOnlyExecutor(): Executor {
  return new FifoExecutor({ capabilities: { name: 'fifo-references-only', closures: false, clonesArguments: true } });
}
