import { deserialize, serialize } from 'node:v8';
import { decodeValues, encodeArguments } from './codec.js';

/** Nesting JSON carries for a job; deeper values go as bytes. */
const maxDepth = 64;

/** The one key of a result that JSON cannot carry (see {@link jobResult}). */
const bytesKey = '$spindle';

function safe(value: unknown, depth: number, seen: Set<object>): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // JSON has no NaN, Infinity or -0.
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      // A value met twice is shared (structured clone keeps it one value; JSON makes two) or a cycle.
      if (depth > maxDepth || seen.has(value)) return false;
      seen.add(value);
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype || Object.keys(value).length !== value.length) return false;
        // A hole reads as undefined, which JSON cannot carry.
        for (const item of value as unknown[]) if (!safe(item, depth + 1, seen)) return false;
        return true;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const [key, item] of Object.entries(value)) {
        // JSON.parse makes `__proto__` an own property; structured clone does too, but other readers may not.
        if (key === '__proto__' || !safe(item, depth + 1, seen)) return false;
      }
      return true;
    }
    default:
      // undefined, bigint, symbol, function: JSON drops or refuses them.
      return false;
  }
}

/**
 * True when JSON carries `value` exactly as structured clone does: strings, booleans, null,
 * finite numbers (not -0), and arrays and plain objects of those, each met once.
 */
export function isJsonSafe(value: unknown): boolean {
  return safe(value, 0, new Set());
}

/** A task's arguments as its job carries them (`JobData.a`), and the shared memory they refer to. */
export interface JobArguments {
  /** The arguments themselves when JSON carries them exactly (a dashboard then shows them), else base64 V8 bytes. */
  readonly a: readonly unknown[] | string;
  /** Ids of shared buffers in this process (see shared-memory.ts); empty if none. */
  readonly shared: readonly number[];
}

/**
 * Encodes a task's arguments for its job.
 * @throws InvalidTaskError (`not-cloneable`) when they cannot be serialised
 */
export function encodeJobArguments(list: readonly unknown[]): JobArguments {
  if (isJsonSafe(list)) return { a: list, shared: [] };
  const encoded = encodeArguments(list);
  return { a: encoded.bytes, shared: encoded.shared };
}

/**
 * The inverse of {@link encodeJobArguments}, from the job's data.
 * @throws InvalidTaskError when they refer to shared memory this process does not hold
 */
export function decodeJobArguments(a: readonly unknown[] | string, shared: readonly number[] | undefined): unknown[] {
  return typeof a === 'string' ? decodeValues({ bytes: a, shared: shared ?? [] }) : [...a];
}

/**
 * A task's value as its completed job keeps it (`job.returnvalue`, and a child's in its
 * parent's `processed` hash): the value itself where JSON carries it exactly, else
 * `{ "$spindle": "<base64 V8 bytes>" }` (a `Map`, a `Date`, `undefined`, ...).
 * @throws when the value cannot be serialised at all (a function, say)
 */
export function jobResult(value: unknown): unknown {
  const marked = typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, bytesKey);
  if (!marked && isJsonSafe(value)) return value;
  return { [bytesKey]: serialize(value).toString('base64') };
}

/** The inverse of {@link jobResult}, from the parsed JSON. */
export function readJobResult(stored: unknown): unknown {
  if (typeof stored === 'object' && stored !== null && !Array.isArray(stored)) {
    const bytes = (stored as Record<string, unknown>)[bytesKey];
    if (typeof bytes === 'string') return deserialize(Buffer.from(bytes, 'base64'));
  }
  return stored;
}
