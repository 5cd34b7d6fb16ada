import { InvalidOptionsError } from '@spindle/core';
import { describeValue } from '@spindle/core/kit';

/**
 * Throws `InvalidOptionsError` naming the option unless `ms` is a finite, non-negative
 * number of milliseconds.
 * @internal
 */
export function assertDuration(ms: unknown, option = 'ms'): asserts ms is number {
  if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) {
    throw new InvalidOptionsError(option, `${option} must be a finite, non-negative number of milliseconds, got ${describeValue(ms)}`);
  }
}
