// Task bodies for the pool's transfer tests (plain JavaScript, loaded by reference). They
// import `moved` from the built package, as a user's task module would.
import { taskRef } from '@spindle/core';
import { moved } from '@spindle/pool';

const here = import.meta.url;

/** The buffer this worker last returned, to see whether it moved away (detached) or was copied. */
let lastReturned;
/** [0]: 0 until the main thread lets go; [1]: set by `signalStarted`. Per worker (see `installWords`). */
let words;

/** Keeps the main thread's words in this worker. */
export function installWords(_ctx, memory) {
  words = new Int32Array(memory);
  return true;
}

/** Byte length and sum of `bytes` (a Uint8Array). */
export function sum(_ctx, bytes) {
  let total = 0;
  for (const byte of bytes) total += byte;
  return { length: bytes.length, total };
}

/** Adds `add` to every byte of `buffer` (an ArrayBuffer) and moves it back. */
export function addAndMove(_ctx, buffer, add) {
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i++) bytes[i] += add;
  lastReturned = buffer;
  return moved(buffer, [buffer]);
}

/** A new buffer of `size` bytes of `value`, in an object, moved (`move`) or copied back. */
export function makeBytes(_ctx, size, value, move) {
  const bytes = new Uint8Array(size).fill(value);
  lastReturned = bytes.buffer;
  const result = { label: 'bytes', bytes };
  return move ? moved(result, [bytes.buffer]) : result;
}

/** The byte length of the buffer this worker last returned: 0 once it moved away. */
export function lastReturnedLength() {
  return lastReturned.byteLength;
}

/** Calls `moved` with a bad list: `kind` says which. */
export function movesBadly(_ctx, kind) {
  const bytes = new Uint8Array(8);
  const lists = {
    absent: [new ArrayBuffer(8)],
    shared: [new SharedArrayBuffer(8)],
    view: [bytes],
  };
  return moved(bytes, lists[kind]);
}

/** Moves its result, then moves the same buffer elsewhere before returning: the result cannot move. */
export function movesTwice() {
  const buffer = new ArrayBuffer(8);
  const result = moved(buffer, [buffer]);
  structuredClone(buffer, { transfer: [buffer] });
  return result;
}

/** Tells the main thread (words[1]) that it runs, then makes `size` bytes of `value` and moves them. */
export function signalAndMake(_ctx, size, value) {
  Atomics.store(words, 1, 1);
  Atomics.notify(words, 1);
  const bytes = new Uint8Array(size).fill(value);
  return moved(bytes, [bytes.buffer]);
}

/**
 * Spawns `signalAndMake` onto this worker's deque, then blocks this worker until it has
 * started, so that it runs on another worker; joins it: its moved result crosses two
 * threads (through the main thread). Returns the bytes' length and sum.
 */
export function* joinsMoverElsewhere(ctx, size, value) {
  Atomics.store(words, 1, 0);
  const child = ctx.spawn(taskRef(here, 'signalAndMake'), [size, value]);
  Atomics.wait(words, 1, 0);
  const bytes = yield ctx.join(child);
  return sum(ctx, bytes);
}

/** Moves a buffer of `size` bytes of `value` to a child spawned with `transfer`; the parent's view length after spawn, and the child's sum. */
export function* movesToChild(ctx, size, value) {
  const bytes = new Uint8Array(size).fill(value);
  const child = ctx.spawn(taskRef(here, 'sum'), [bytes], { transfer: [bytes.buffer] });
  const after = bytes.length;
  return { after, child: yield ctx.join(child) };
}

/** Holds its worker until the main thread stores 1 in words[0], then ends the thread. */
export function holdThenExit() {
  Atomics.store(words, 1, 1);
  Atomics.notify(words, 1);
  Atomics.wait(words, 0, 0);
  process.exit(3);
}
