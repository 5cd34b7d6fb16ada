import { brandedErrorClass, errorBrandName } from '../shared/error-brand.js';

/**
 * The boundary codec: how errors cross a thread or a process.
 *
 * A structured clone keeps only the standard error types (`Error`, `TypeError`, …), their
 * message, stack and `cause`: a subclass arrives as its standard base, and its own fields
 * are gone. So an error crosses as an {@link EncodedError} record, and
 * {@link decodeError} rebuilds it on the other side with
 * - its class: Spindle's own error classes (and any class branded with `brandErrorClass`)
 *   come back as themselves; any other class comes back as a class of the same name that
 *   extends the same standard error type;
 * - its `name`, `message`, `stack` and `cause` (an error cause is encoded the same way);
 * - its own enumerable fields (`code`, `status`, …), each as a structured clone of it;
 *   a field that cannot be cloned is left out;
 * - an `AggregateError`'s `errors`, each encoded the same way.
 *
 * Values that are not errors pass through both functions unchanged.
 */
export interface EncodedError {
  /** Marks the record; the number is the codec's version. */
  readonly $spindleError: 1;
  /** The brand name of a branded class (`@spindle/core:TaskCancelledError`). */
  readonly brand: string | undefined;
  /** `error.constructor.name`. */
  readonly className: string;
  /** The standard error type the class extends (`Error`, `TypeError`, …). */
  readonly base: StandardErrorName;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Present when the error had a `cause` (encoded if it is an error). */
  readonly cause?: unknown;
  /** Own enumerable fields, each cloneable. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** An `AggregateError`'s errors, encoded. */
  readonly errors?: readonly unknown[];
}

type StandardErrorName = 'Error' | 'EvalError' | 'RangeError' | 'ReferenceError' | 'SyntaxError' | 'TypeError' | 'URIError' | 'AggregateError';

const standard: Readonly<Record<StandardErrorName, ErrorConstructor | AggregateErrorConstructor>> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
  AggregateError,
};

/** How deep causes (and an aggregate's errors) are followed; deeper ones are cut off. */
const MAX_DEPTH = 8;

/** True for a record made by {@link encodeError}. */
export function isEncodedError(value: unknown): value is EncodedError {
  return typeof value === 'object' && value !== null && (value as { $spindleError?: unknown }).$spindleError === 1;
}

/**
 * Encodes `error` for a structured clone (see {@link EncodedError}); anything that is not
 * an `Error` is returned as it is.
 */
export function encodeError(error: unknown): unknown {
  return encode(error, 0);
}

/** The inverse of {@link encodeError}: rebuilds an encoded error; anything else is returned as it is. */
export function decodeError(value: unknown): unknown {
  return decode(value, 0);
}

function encode(error: unknown, depth: number): unknown {
  if (!(error instanceof Error) || depth > MAX_DEPTH) return error;
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (key === 'cause' || key === 'message' || key === 'stack' || key === 'errors') continue;
    const field = (error as unknown as Record<string, unknown>)[key];
    const copy = cloneOrSkip(field instanceof Error ? encode(field, depth + 1) : field);
    if (copy !== skipped) fields[key] = copy;
  }
  const record: { -readonly [K in keyof EncodedError]: EncodedError[K] } = {
    $spindleError: 1,
    brand: errorBrandName(error),
    className: typeof error.constructor === 'function' ? error.constructor.name : 'Error',
    base: standardBase(error),
    name: error.name,
    message: error.message,
    stack: error.stack,
    fields,
  };
  if ('cause' in error) {
    const cause = cloneOrSkip(encode(error.cause, depth + 1));
    if (cause !== skipped) record.cause = cause;
  }
  if (error instanceof AggregateError && Array.isArray(error.errors)) {
    record.errors = (error.errors as unknown[]).map((inner) => {
      const copy = cloneOrSkip(encode(inner, depth + 1));
      return copy === skipped ? String(inner) : copy;
    });
  }
  return record;
}

function decode(value: unknown, depth: number): unknown {
  if (!isEncodedError(value) || depth > MAX_DEPTH) return value;
  const cls = (value.brand === undefined ? undefined : brandedErrorClass(value.brand)) ?? lookalike(value.base, value.className);
  // Made without running a constructor: a class's constructor may take arguments of its own.
  const error = Object.create(cls.prototype as object) as Error;
  define(error, 'message', value.message);
  if (value.stack !== undefined) define(error, 'stack', value.stack);
  if ('cause' in value) define(error, 'cause', decode(value.cause, depth + 1));
  if (value.errors !== undefined) define(error, 'errors', value.errors.map((inner) => decode(inner, depth + 1)));
  if (error.name !== value.name) define(error, 'name', value.name);
  for (const [key, field] of Object.entries(value.fields)) {
    (error as unknown as Record<string, unknown>)[key] = decode(field, depth + 1);
  }
  return error;
}

/** Defines a property as the Error constructor does: own, writable, configurable, not enumerable. */
function define(error: Error, key: string, value: unknown): void {
  Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: false });
}

const skipped = Symbol('skipped');

function cloneOrSkip(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return value;
  try {
    return structuredClone(value);
  } catch {
    return skipped;
  }
}

function standardBase(error: Error): StandardErrorName {
  for (let proto: unknown = Object.getPrototypeOf(error); proto !== null && proto !== undefined; proto = Object.getPrototypeOf(proto)) {
    const ctor: unknown = (proto as { constructor?: unknown }).constructor;
    for (const [name, candidate] of Object.entries(standard)) {
      if (ctor === candidate) return name as StandardErrorName;
    }
  }
  return 'Error';
}

/** Classes made to stand in for error classes this side does not have, by base and name. */
const lookalikes = new Map<string, ErrorConstructor>();

/** A class named `className` that extends the standard error type `base`: `constructor.name` reads as it did. */
function lookalike(base: StandardErrorName, className: string): ErrorConstructor {
  const Base = standard[base] as ErrorConstructor;
  if (className === base || className === '') return Base;
  const key = `${base}\u0000${className}`;
  let cls = lookalikes.get(key);
  if (cls === undefined) {
    cls = class extends Base {} as ErrorConstructor;
    Object.defineProperty(cls, 'name', { value: className });
    lookalikes.set(key, cls);
  }
  return cls;
}
