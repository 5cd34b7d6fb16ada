import type { SharedState } from './shared-state.js';
import { SlotReader, SlotWriter } from './slot-codec.js';

/** What a worker needs to run a task: the reference, the arguments and the name. */
export type Payload = readonly [module: string, exportName: string, args: readonly unknown[], name: string | undefined];

/**
 * True when the arguments hold something that serialising into shared bytes would not
 * carry faithfully: a `SharedArrayBuffer` (it would arrive as a copy, no longer shared) or a
 * `MessagePort`. Such tasks travel by `postMessage` instead and stay on the worker that
 * receives them.
 */
export function needsMessage(values: readonly unknown[]): boolean {
  for (const value of values) if (holdsShared(value, 0)) return true;
  return false;
}

function holdsShared(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof SharedArrayBuffer) return true;
  if (ArrayBuffer.isView(value)) return value.buffer instanceof SharedArrayBuffer;
  if (value instanceof ArrayBuffer) return false;
  if (depth > 16) return true;
  if ((value as { constructor?: { name?: unknown } }).constructor?.name === 'MessagePort') return true;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsShared(item, depth + 1)) return true;
    return false;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) if (holdsShared(k, depth + 1) || holdsShared(v, depth + 1)) return true;
    return false;
  }
  if (value instanceof Set) {
    for (const item of value) if (holdsShared(item, depth + 1)) return true;
    return false;
  }
  for (const key of Object.keys(value)) if (holdsShared((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

const writer = new SlotWriter();
const reader = new SlotReader();
/** Cache indices of {@link SlotReader.string} for the strings every task carries. */
const cachedModule = 0;
const cachedExport = 1;
/** In place of the argument count: the arguments follow as one serialised array. */
const wholeArgs = 0xffffffff;

function objectsIn(values: readonly unknown[]): number {
  let n = 0;
  for (const value of values) if ((typeof value === 'object' && value !== null) || typeof value === 'function') n++;
  return n;
}

/** Writes a payload into its slot; false if it is larger than a slot. */
export function writePayload(state: SharedState, slot: number, payload: Payload): boolean {
  const [module, exportName, args, name] = payload;
  const start = slot * state.slotBytes;
  writer.begin(state.arena, start, start + state.slotBytes);
  if (!writer.string(module) || !writer.string(exportName) || !writer.value(name)) return false;
  if (objectsIn(args) > 1) {
    // One blob, so that an object passed twice arrives as one object, as structured clone has it.
    if (!writer.u32(wholeArgs) || !writer.value(args)) return false;
  } else {
    if (!writer.u32(args.length)) return false;
    for (const arg of args) if (!writer.value(arg)) return false;
  }
  return true;
}

/** The payload stored in a slot. */
export function readPayload(state: SharedState, slot: number): Payload {
  reader.begin(state.arena, slot * state.slotBytes);
  const module = reader.string(cachedModule);
  const exportName = reader.string(cachedExport);
  const name = reader.value();
  const n = reader.u32();
  let args: unknown[];
  if (n === wholeArgs) {
    args = reader.value() as unknown[];
  } else {
    // Filled with `undefined` first, so the array holds tagged values from the start: an
    // array that starts with small-integer elements turns to doubles on the first float
    // argument, and V8 then makes every later array of this line a double array. Integers
    // read back from one arrive as doubles, and a task's integer code runs on doubles: one
    // burst of float arguments made later fork-join work (fib) 40-90% slower.
    args = new Array<unknown>(n).fill(undefined);
    for (let i = 0; i < n; i++) args[i] = reader.value();
  }
  return [module, exportName, args, typeof name === 'string' ? name : undefined];
}

/** Writes a result (an error already encoded with the kit's `encodeError`) into its slot; false if too large. */
export function writeResult(state: SharedState, slot: number, value: unknown): boolean {
  const start = slot * state.slotBytes;
  writer.begin(state.arena, start, start + state.slotBytes);
  return writer.value(value);
}

/** The result stored in a slot. */
export function readResult(state: SharedState, slot: number): unknown {
  reader.begin(state.arena, slot * state.slotBytes);
  return reader.value();
}
