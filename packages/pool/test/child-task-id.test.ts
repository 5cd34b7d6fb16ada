import { expect, it } from 'vitest';
import { childTaskId } from '../src/shared/messages.js';

// Workers number their children from a 32-bit counter in shared memory that wraps; each pool
// has its own block of 2^32 ids (its `idBase`), which a wrapped counter must not leave.
it.each([
  [0, 0],
  [1, 1],
  [2 ** 31 - 1, 2 ** 31 - 1],
  [-(2 ** 31), 2 ** 31],
  [-1, 2 ** 32 - 1],
])('child number %i (as Atomics.add returns it) gets the id idBase + %i', (n, offset) => {
  const idBase = 3 * 2 ** 32;
  const id = childTaskId(idBase, n);
  expect(id).toBe(idBase + offset);
  expect(id).toBeGreaterThanOrEqual(idBase);
  expect(id).toBeLessThan(idBase + 2 ** 32);
});
