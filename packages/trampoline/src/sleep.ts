import { InvalidOptionsError, describeValue } from '@spindle/core';
import { operation } from './operation.js';
import type { Instruction, Operation } from './operation.js';

const sleepFor = operation(function* sleep(ms: number): Generator<Instruction, void, unknown> {
  let timer: NodeJS.Timeout | undefined;
  try {
    yield new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
  } finally {
    // Cancelled before it fired: the timer goes, so an idle executor keeps nothing alive.
    clearTimeout(timer);
  }
});

/**
 * Parks the task for `ms` milliseconds. Cancellable: the timer is cleared when the task
 * (or the operation waiting on it) is cancelled.
 * @throws InvalidOptionsError (`ms`) for a negative, non-finite or non-number `ms`
 */
export function sleep(ms: number): Operation<void> {
  assertDuration(ms);
  return sleepFor(ms);
}

/**
 * Parks the task until it is cancelled: for a task that only serves (its children, its
 * `finally`) until somebody stops it.
 */
export const suspend = operation(function* suspend(): Generator<Instruction, never, unknown> {
  yield new Promise<never>(() => undefined);
  throw new Error('unreachable: suspend() resumed');
});

/** @internal */
export function assertDuration(ms: unknown, option = 'ms'): asserts ms is number {
  if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
    throw new InvalidOptionsError(option, `${option} must be a finite, non-negative number of milliseconds, got ${describeValue(ms)}`);
  }
}
