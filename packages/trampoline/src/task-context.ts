import type { TaskContext } from '@spindle/core';
import { ContextCall, Instruct } from './instruction.js';
import type { Operation } from './operation.js';

const contextRequest = new ContextCall((ctx: TaskContext): TaskContext => ctx);

/** The running task's context (spawn, join, signal, yield) from inside any operation. */
export function taskContext(): Operation<TaskContext> {
  return new Instruct(contextRequest);
}
