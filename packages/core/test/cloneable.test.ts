import { describe, expect, it } from 'vitest';
import { assertCloneable } from '../src/kit/cloneable.js';
import { InvalidTaskError } from '../src/contract/errors.js';

describe('assertCloneable', () => {
  it('accepts primitives and cloneable objects', () => {
    expect(() => {
      assertCloneable([1, 'a', null, undefined, 2n, { a: [1, 2] }, new Map([[1, 2]]), new Uint8Array(4)]);
    }).not.toThrow();
  });

  it('names the first argument that cannot be cloned and why', () => {
    let caught: unknown;
    try {
      assertCloneable([1, { ok: true }, { fn: () => 1 }]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidTaskError);
    const error = caught as InvalidTaskError;
    expect(error.code).toBe('not-cloneable');
    expect(error.argumentIndex).toBe(2);
    expect(error.message).toMatch(/^argument 2 .*cannot be structured-cloned/);
  });

  it('rejects functions and symbols, and names a result as the result', () => {
    expect(() => {
      assertCloneable([() => 1]);
    }).toThrow(/argument 0 is function/);
    expect(() => {
      assertCloneable([Symbol('x')], 'result');
    }).toThrow(/^result is Symbol\(x\)/);
  });
});
