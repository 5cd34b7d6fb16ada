import type { Instruction } from './instruction.js';
import { operation } from './operation.js';

/**
 * Parks the task until it is cancelled: for a task that only serves (its children, its
 * `finally`) until somebody stops it.
 */
export const suspend = operation(function* suspend(): Generator<Instruction, never, unknown> {
  yield new Promise<never>(() => undefined);
  throw new Error('unreachable: suspend() resumed');
});
