// Arguments read from a slot must keep integers as V8's small integers even after floats
// went through: a double array hands its integers to the task as doubles, and the task's
// integer code then runs on doubles (fork–join fib 40-90% slower after one burst of float
// arguments, in a probe on two workers). What V8 keeps is only visible to its natives.
import { setFlagsFromString } from 'node:v8';
import { expect, it } from 'vitest';
import { readPayload, writePayload } from '../src/shared/payload.js';
import { SharedState } from '../src/shared/shared-state.js';

setFlagsFromString('--allow-natives-syntax');
// Compiled after the flag is set; the flag changes nothing else in this file's process.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const hasDoubleElements = new Function('array', 'return %HasDoubleElements(array)') as (array: readonly unknown[]) => boolean;

it('integer arguments read after float ones are not held as doubles', () => {
  const state = SharedState.create(1, 4, 256, 4);
  for (let i = 0; i < 50; i++) {
    expect(writePayload(state, 1, ['file:///x.mjs', 'run', [i + 0.5, 2.25], undefined])).toBe(true);
    expect(readPayload(state, 1)[2]).toEqual([i + 0.5, 2.25]);
  }
  expect(writePayload(state, 2, ['file:///x.mjs', 'run', [30, 20], undefined])).toBe(true);
  const args = readPayload(state, 2)[2];
  expect(args).toEqual([30, 20]);
  expect(hasDoubleElements(args)).toBe(false);
});
