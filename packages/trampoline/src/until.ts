import { Instruct } from './instruction.js';
import type { Operation } from './operation.js';

/**
 * Waits for a promise-like as a typed operation: `const body = yield* until(fetchText())`
 * gives `body` its type, which a bare `yield promise` cannot.
 */
export function until<T>(promise: PromiseLike<T>): Operation<Awaited<T>> {
  return new Instruct<Awaited<T>>(promise);
}
