import { serialize, deserialize } from 'node:v8';
import { InvalidTaskError, SpindleError, TaskCancelledError } from '@spindle/core';
import type { InvalidTaskCode } from '@spindle/core';
import { WorkerCrashedError } from './errors.js';
import { Meta } from './shared-state.js';
import type { SharedState } from './shared-state.js';

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

/** Writes serialised bytes into the slot; false when they do not fit. */
function writeBytes(state: SharedState, slot: number, data: Uint8Array, lengthWord: number): boolean {
  if (data.length > state.slotBytes) return false;
  state.bytes.set(data, slot * state.slotBytes);
  Atomics.store(state.meta, state.metaIndex(slot, lengthWord), data.length);
  return true;
}

function readBytes(state: SharedState, slot: number, lengthWord: number): unknown {
  const length = Atomics.load(state.meta, state.metaIndex(slot, lengthWord));
  const at = slot * state.slotBytes;
  return deserialize(state.bytes.subarray(at, at + length));
}

/** Serialises a payload into its slot; false if it is larger than a slot. */
export function writePayload(state: SharedState, slot: number, payload: Payload): boolean {
  return writeBytes(state, slot, serialize(payload), Meta.payloadLength);
}

/** The payload stored in a slot. */
export function readPayload(state: SharedState, slot: number): Payload {
  return readBytes(state, slot, Meta.payloadLength) as Payload;
}

/** Serialises a result (already encoded with {@link encodeOutcome}) into its slot; false if too large. */
export function writeResult(state: SharedState, slot: number, value: unknown): boolean {
  return writeBytes(state, slot, serialize(value), Meta.resultLength);
}

/** The result stored in a slot. */
export function readResult(state: SharedState, slot: number): unknown {
  return readBytes(state, slot, Meta.resultLength);
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
