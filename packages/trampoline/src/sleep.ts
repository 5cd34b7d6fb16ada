import { assertDuration } from './duration.js';
import type { Instruction } from './instruction.js';
import { operation } from './operation.js';
import type { Operation } from './operation.js';

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
