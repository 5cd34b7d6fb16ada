import { InvalidOptionsError, TaskCancelledError } from '@spindle/core';
import { assertKnownOptions, describeValue } from '@spindle/core/kit';
import { assertDuration } from './duration.js';
import type { Instruction } from './instruction.js';
import { assertOperation, operation } from './operation.js';
import type { Operation } from './operation.js';
import { sleep } from './sleep.js';

/** How long to wait before attempt `attempt + 1` (`attempt` counts from 1), after `error`. */
export type Backoff = number | { readonly initial: number; readonly factor?: number; readonly max?: number } | ((attempt: number, error: unknown) => number);

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Attempts in all, the first included: a positive integer. Default 3. */
  readonly attempts?: number;
  /**
   * The wait between attempts, in milliseconds: a fixed number, an exponential
   * `{ initial, factor = 2, max = Infinity }` (`initial * factor ** (attempt - 1)`, at most
   * `max`), or a function of the attempt that failed and its error. Default 0.
   */
  readonly backoff?: Backoff;
  /**
   * Whether an error is worth another attempt. Default: every error except a
   * `TaskCancelledError` (a cancelled attempt is not a failed one).
   */
  readonly retryIf?: (error: unknown, attempt: number) => boolean;
}

interface Plan {
  readonly attempts: number;
  readonly delay: (attempt: number, error: unknown) => number;
  readonly retryIf: (error: unknown, attempt: number) => boolean;
}

const retrying = operation(function* retry(make: (attempt: number) => Operation<unknown>, plan: Plan): Generator<Instruction, unknown, unknown> {
  for (let attempt = 1; ; attempt++) {
    const op = make(attempt);
    assertOperation(op, 'retry() attempt');
    try {
      return yield* op;
    } catch (error) {
      if (attempt >= plan.attempts || !plan.retryIf(error, attempt)) throw error;
      const wait = plan.delay(attempt, error);
      assertDuration(wait, 'backoff');
      // Cancellable: cancelling the task clears the timer and ends the retries.
      if (wait > 0) yield* sleep(wait);
    }
  }
});

/**
 * Runs the operation `make` makes, and when it throws, makes and runs it again, up to
 * `attempts` times in all, waiting `backoff` between attempts: answers with the first
 * result, or throws the last error. `make` is called anew for each attempt (an operation
 * runs once), with the attempt's number, from 1. Each attempt runs in the calling task;
 * the wait between attempts is cancellable like `sleep`.
 *
 * @example
 * ```ts
 * const page = yield* retry(() => until(fetchPage(url)), { attempts: 5, backoff: { initial: 100 } });
 * ```
 * @throws InvalidOptionsError for `attempts` that is not a positive integer, or a bad `backoff`
 */
export function retry<T>(make: (attempt: number) => Operation<T>, options?: RetryOptions): Operation<T> {
  if (typeof make !== 'function') {
    throw new InvalidOptionsError('make', `retry() expects a function that makes the operation, got ${describeValue(make)}`);
  }
  assertKnownOptions('retry()', options, ['attempts', 'backoff', 'retryIf']);
  const attempts: unknown = options?.attempts ?? 3;
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1) {
    throw new InvalidOptionsError('attempts', `retry() attempts must be a positive integer, got ${describeValue(attempts)}`);
  }
  const retryIf = options?.retryIf ?? ((error: unknown) => !(error instanceof TaskCancelledError));
  if (typeof retryIf !== 'function') throw new InvalidOptionsError('retryIf', `retry() retryIf must be a function, got ${describeValue(retryIf)}`);
  return retrying(make, { attempts, delay: delayOf(options?.backoff ?? 0), retryIf }) as Operation<T>;
}

function delayOf(backoff: unknown): (attempt: number, error: unknown) => number {
  if (typeof backoff === 'number') {
    assertDuration(backoff, 'backoff');
    return () => backoff;
  }
  if (typeof backoff === 'function') return backoff as (attempt: number, error: unknown) => number;
  if (typeof backoff === 'object' && backoff !== null) {
    const { initial, factor = 2, max = Number.POSITIVE_INFINITY } = backoff as { initial?: unknown; factor?: unknown; max?: unknown };
    assertDuration(initial, 'backoff.initial');
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
      throw new InvalidOptionsError('backoff.factor', `retry() backoff.factor must be a finite number of at least 1, got ${describeValue(factor)}`);
    }
    if (typeof max !== 'number' || !(max >= initial)) {
      throw new InvalidOptionsError('backoff.max', `retry() backoff.max must be a number of milliseconds at least backoff.initial, got ${describeValue(max)}`);
    }
    return (attempt) => Math.min(max, initial * factor ** (attempt - 1));
  }
  throw new InvalidOptionsError('backoff', `retry() backoff must be milliseconds, { initial, factor?, max? } or a function, got ${describeValue(backoff)}`);
}
