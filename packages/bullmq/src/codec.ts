import { deserialize, serialize } from 'node:v8';
import { InvalidTaskError } from '@spindle/core';
import { releaseBuffers, shareBuffer, sharedBuffer } from './shared-memory.js';

/** Marks where shared memory was in encoded values; see {@link encodeValues}. */
const marker = '__spindleSharedMemory__';

type TypedArrayName = 'Int8Array' | 'Uint8Array' | 'Uint8ClampedArray' | 'Int16Array' | 'Uint16Array' | 'Int32Array' | 'Uint32Array' | 'Float32Array' | 'Float64Array' | 'BigInt64Array' | 'BigUint64Array' | 'DataView';

interface SharedMarker {
  readonly [marker]: number;
  /** The view over the buffer, if it was a view; else the buffer itself. */
  readonly view?: TypedArrayName;
  readonly byteOffset?: number;
  readonly length?: number;
}

const views: Record<TypedArrayName, new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => ArrayBufferView> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
};

/** Deepest nesting searched for shared memory; deeper values are cloned as they are. */
const maxDepth = 16;

/**
 * Replaces shared memory in `value` by markers, copying only the containers on the way to
 * it (arrays, plain objects, maps, sets). V8's serializer would copy a `SharedArrayBuffer`
 * (or refuse it), so the buffers are registered in this process instead.
 */
function pinShared(value: unknown, depth: number, shared: number[]): unknown {
  if (typeof value !== 'object' || value === null || depth > maxDepth) return value;
  if (value instanceof SharedArrayBuffer) return { [marker]: record(value, shared) } satisfies SharedMarker;
  if (ArrayBuffer.isView(value)) {
    if (!(value.buffer instanceof SharedArrayBuffer)) return value;
    const view = value.constructor.name as TypedArrayName;
    const length = value instanceof DataView ? value.byteLength : (value as unknown as { length: number }).length;
    return { [marker]: record(value.buffer, shared), view, byteOffset: value.byteOffset, length } satisfies SharedMarker;
  }
  if (Array.isArray(value)) {
    const list = value as unknown[];
    let copy: unknown[] | undefined;
    list.forEach((item, i) => {
      const pinned = pinShared(item, depth + 1, shared);
      if (pinned !== item) (copy ??= [...list])[i] = pinned;
    });
    return copy ?? list;
  }
  if (value instanceof Map) {
    const entries = Array.from(value as Map<unknown, unknown>, ([k, v]) => [k, v, pinShared(v, depth + 1, shared)] as const);
    return entries.some(([, v, pinned]) => pinned !== v) ? new Map(entries.map(([k, , pinned]) => [k, pinned])) : value;
  }
  if (value instanceof Set) {
    const items = Array.from(value as Set<unknown>, (item) => [item, pinShared(item, depth + 1, shared)] as const);
    return items.some(([item, pinned]) => pinned !== item) ? new Set(items.map(([, pinned]) => pinned)) : value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const pinned = pinShared(v, depth + 1, shared);
    if (pinned !== v) (copy ??= { ...(value as Record<string, unknown>) })[k] = pinned;
  }
  return copy ?? value;
}

function record(buffer: SharedArrayBuffer, shared: number[]): number {
  for (const id of shared) if (sharedBuffer(id) === buffer) return id;
  const id = shareBuffer(buffer);
  shared.push(id);
  return id;
}

/** Puts the shared memory of this process back where {@link pinShared} left markers. */
function unpinShared(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > maxDepth) return value;
  if (marker in value) {
    const m = value as SharedMarker;
    const buffer = sharedBuffer(m[marker]);
    if (buffer === undefined) {
      throw new InvalidTaskError('not-cloneable', 'the task holds shared memory (a SharedArrayBuffer) of another process; it can run only where it was spawned');
    }
    if (m.view === undefined) return buffer;
    return new views[m.view](buffer, m.byteOffset ?? 0, m.length ?? 0);
  }
  if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => {
      value[i] = unpinShared(item, depth + 1);
    });
    return value;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) value.set(k, unpinShared(v, depth + 1));
    return value;
  }
  if (value instanceof Set) {
    const items = [...(value as Set<unknown>)];
    value.clear();
    for (const item of items) value.add(unpinShared(item, depth + 1));
    return value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const record = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(record)) record[k] = unpinShared(v, depth + 1);
  return value;
}

/** Encoded values: base64 V8 structured-clone bytes, plus the ids of shared buffers they refer to. */
export interface Encoded {
  readonly bytes: string;
  /** Ids of shared buffers in this process (see shared-memory.ts); empty if none. */
  readonly shared: readonly number[];
}

/**
 * Serialises values the way `postMessage` would clone them (Map, Set, Date, typed arrays,
 * BigInt and errors arrive intact, not just what JSON can carry); shared buffers are
 * registered in this process instead of copied.
 */
export function encodeValues(values: readonly unknown[]): Encoded {
  const shared: number[] = [];
  const pinned = pinShared(values, 0, shared);
  return { bytes: serialize(pinned).toString('base64'), shared };
}

/**
 * {@link encodeValues} for a task's arguments, checked when it is spawned.
 * @throws InvalidTaskError (`not-cloneable`) when they cannot be serialised
 */
export function encodeArguments(values: readonly unknown[]): Encoded {
  try {
    return encodeValues(values);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidTaskError('not-cloneable', `the arguments cannot be serialised for a job: ${reason}`, { cause: error });
  }
}

/**
 * The inverse of {@link encodeValues}.
 * @throws InvalidTaskError when the values refer to shared memory this process does not hold
 */
export function decodeValues(encoded: Encoded): unknown[] {
  const values = deserialize(Buffer.from(encoded.bytes, 'base64')) as unknown[];
  return encoded.shared.length === 0 ? values : (unpinShared(values, 0) as unknown[]);
}

/** Lets the shared buffers of a settled pinned task go. */
export function releaseEncoded(encoded: Encoded | undefined): void {
  if (encoded !== undefined && encoded.shared.length > 0) releaseBuffers(encoded.shared);
}
