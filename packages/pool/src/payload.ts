import { InvalidTaskError, SpindleError, TaskCancelledError } from '@spindle/core';
import type { InvalidTaskCode } from '@spindle/core';
import { WorkerCrashedError } from './errors.js';
import { Meta } from './shared-state.js';
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
  writer.begin(state.slots, start, start + state.slotBytes);
  if (!writer.string(module) || !writer.string(exportName) || !writer.value(name)) return false;
  if (objectsIn(args) > 1) {
    // One blob, so that an object passed twice arrives as one object, as structured clone has it.
    if (!writer.u32(wholeArgs) || !writer.value(args)) return false;
  } else {
    if (!writer.u32(args.length)) return false;
    for (const arg of args) if (!writer.value(arg)) return false;
  }
  Atomics.store(state.meta, state.metaIndex(slot, Meta.payloadLength), writer.length(start));
  return true;
}

/** The payload stored in a slot. */
export function readPayload(state: SharedState, slot: number): Payload {
  reader.begin(state.slots, slot * state.slotBytes);
  const module = reader.string(cachedModule);
  const exportName = reader.string(cachedExport);
  const name = reader.value();
  const n = reader.u32();
  let args: unknown[];
  if (n === wholeArgs) {
    args = reader.value() as unknown[];
  } else {
    args = new Array<unknown>(n);
    for (let i = 0; i < n; i++) args[i] = reader.value();
  }
  return [module, exportName, args, typeof name === 'string' ? name : undefined];
}

/** Writes a result (already encoded with {@link encodeError} if it is one) into its slot; false if too large. */
export function writeResult(state: SharedState, slot: number, value: unknown): boolean {
  const start = slot * state.slotBytes;
  writer.begin(state.slots, start, start + state.slotBytes);
  if (!writer.value(value)) return false;
  Atomics.store(state.meta, state.metaIndex(slot, Meta.resultLength), writer.length(start));
  return true;
}

/** The result stored in a slot. */
export function readResult(state: SharedState, slot: number): unknown {
  reader.begin(state.slots, slot * state.slotBytes);
  return reader.value();
}

interface EncodedError {
  readonly $spindleError: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly code?: InvalidTaskCode;
  readonly argumentIndex?: number;
  readonly taskId?: number;
  readonly taskName?: string;
  readonly worker?: number;
}

/**
 * Spindle's own error classes do not survive a structured clone (it keeps only the
 * standard error types), so they cross threads as plain records and are rebuilt, class and
 * fields intact, on the other side. Everything else is cloned as it is.
 */
export function encodeError(error: unknown): unknown {
  if (!(error instanceof SpindleError)) return error;
  const base = { $spindleError: error.name, message: error.message, stack: error.stack };
  if (error instanceof InvalidTaskError) {
    return { ...base, code: error.code, ...(error.argumentIndex === undefined ? {} : { argumentIndex: error.argumentIndex }) };
  }
  if (error instanceof TaskCancelledError) return { ...base, taskId: error.taskId, ...(error.taskName === undefined ? {} : { taskName: error.taskName }) };
  if (error instanceof WorkerCrashedError) return { ...base, worker: error.worker };
  return base;
}

/** The inverse of {@link encodeError}. */
export function decodeError(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || typeof (value as { $spindleError?: unknown }).$spindleError !== 'string') return value;
  const encoded = value as EncodedError;
  let error: SpindleError;
  switch (encoded.$spindleError) {
    case 'InvalidTaskError':
      error = new InvalidTaskError(encoded.code ?? 'not-a-body', encoded.message, encoded.argumentIndex === undefined ? {} : { argumentIndex: encoded.argumentIndex });
      break;
    case 'TaskCancelledError':
      error = new TaskCancelledError(encoded.taskId ?? -1, encoded.taskName, undefined);
      error.message = encoded.message;
      break;
    case 'WorkerCrashedError':
      error = new WorkerCrashedError(encoded.worker ?? -1, encoded.message);
      error.message = encoded.message;
      break;
    default:
      error = new SpindleError(encoded.message);
  }
  if (encoded.stack !== undefined) error.stack = encoded.stack;
  return error;
}
