import type { Executor } from '@spindle/core';
import { FifoExecutor } from './fifo-executor.js';

/** The factory the idle-process test's child imports (compiled to JavaScript by global-setup.ts). */
export default function createFifoExecutor(): Executor {
  return new FifoExecutor();
}
