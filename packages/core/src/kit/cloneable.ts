import { InvalidTaskError, describeValue } from '../contract/errors.js';

/**
 * Throws `InvalidTaskError` (`not-cloneable`) naming the first value that cannot be
 * structured-cloned and why. Primitives skip the clone, so the common case costs nothing.
 *
 * @param values the arguments (or `[result]`)
 * @param what how to name them in the message: `argument` or `result`
 */
export function assertCloneable(values: readonly unknown[], what: 'argument' | 'result' = 'argument'): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) continue;
    const label = what === 'result' ? 'result' : `argument ${i}`;
    if (typeof value === 'function' || typeof value === 'symbol') {
      throw new InvalidTaskError('not-cloneable', `${label} is ${describeValue(value)}, which cannot be structured-cloned`, {
        argumentIndex: what === 'result' ? -1 : i,
      });
    }
    try {
      structuredClone(value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidTaskError('not-cloneable', `${label} (${describeValue(value)}) cannot be structured-cloned: ${reason}`, {
        argumentIndex: what === 'result' ? -1 : i,
        cause: error,
      });
    }
  }
}
