import { SpindleError } from '@spindle/core';
import type { TaskHandle } from '@spindle/core';
import { brandErrorClass } from '@spindle/core/kit';
import { observe, stopChildren } from './children.js';
import { assertDuration } from './duration.js';
import type { Instruction } from './instruction.js';
import { assertOperation, operation } from './operation.js';
import type { Operation } from './operation.js';
import { startOperation } from './start-operation.js';
import { taskContext } from './task-context.js';

/** An operation run with {@link timeout} did not finish in time. */
export class TimeoutError extends SpindleError {
  /** The time limit, in milliseconds. */
  readonly ms: number;

  constructor(ms: number) {
    super(`operation timed out after ${ms} ms`);
    this.ms = ms;
  }
}

brandErrorClass(TimeoutError, '@spindle/trampoline:TimeoutError');

const withTimeout = operation(function* timeout(ms: number, op: Operation<unknown>): Generator<Instruction, unknown, unknown> {
  const ctx = yield* taskContext();
  const child: TaskHandle<unknown> = ctx.spawn(startOperation, [op]);
  let timer: NodeJS.Timeout | undefined;
  let expired: TimeoutError | undefined;
  try {
    return yield new Promise<unknown>((resolve, reject) => {
      timer = setTimeout(() => {
        expired = new TimeoutError(ms);
        reject(expired);
      }, ms);
      observe(child, resolve, reject);
    });
  } finally {
    clearTimeout(timer);
    yield* stopChildren([child], expired);
  }
});

/**
 * Runs `op` as a child task with a time limit: answers with its result, or throws
 * {@link TimeoutError} once `ms` have passed, after the child has been cancelled (with
 * the `TimeoutError` as the reason) and its cleanup has run. The timer is cleared when
 * the operation ends either way, or is cancelled.
 * @throws InvalidOptionsError (`ms`) for a negative, non-finite or non-number `ms`
 * @throws InvalidTaskError (`not-a-body`) when `op` is not an operation
 */
export function timeout<T>(ms: number, op: Operation<T>): Operation<T> {
  assertDuration(ms);
  assertOperation(op, 'timeout()');
  return withTimeout(ms, op) as Operation<T>;
}
