// all() must hand back integers as V8's small integers even after float results went
// through: a double array hands them to the caller as doubles, and the caller's integer
// code then runs on doubles (see the pool's payload-elements test). What V8 keeps is only
// visible to its natives.
import { setFlagsFromString } from 'node:v8';
import { expect, it } from 'vitest';
import { all, operation } from '../src/index.js';
import type { Instruction } from '../src/index.js';
import { withExecutor } from './helpers.js';

setFlagsFromString('--allow-natives-syntax');
// Compiled after the flag is set; the flag changes nothing else in this file's process.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const hasDoubleElements = new Function('array', 'return %HasDoubleElements(array)') as (array: unknown) => boolean;

const value = operation(function* value<T>(v: T): Generator<Instruction, T, unknown> {
  yield Promise.resolve();
  return v;
});

for (const [name, options] of [
  ['all()', undefined],
  ['all() with a concurrency limit', { concurrency: 2 }],
] as const) {
  it(`${name}: integer results after float ones are not held as doubles`, async () => {
    await withExecutor(async (ex) => {
      for (let i = 0; i < 20; i++) {
        expect(await ex.run(all([value(i + 0.5), value(2.25)], options))).toEqual([i + 0.5, 2.25]);
      }
      const ints = await ex.run(all([value(30), value(20)], options));
      expect(ints).toEqual([30, 20]);
      expect(hasDoubleElements(ints)).toBe(false);
    });
  });
}
