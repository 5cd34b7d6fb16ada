import { brandErrorClass, hasBrandedInstance } from '../shared/error-brand.js';

/**
 * Every error Spindle raises on its own account extends {@link SpindleError}, so callers
 * can tell a scheduler's complaint from their own task's failure with one `instanceof`.
 */
export class SpindleError extends Error {
  /**
   * True for errors of this class whichever copy of the package made them: an application
   * that loads both the ES module and the CommonJS build still gets one class.
   */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    return hasBrandedInstance(this, value);
  }

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    // Subclasses set their own name through this so the stack trace header reads right.
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true });
  }
}

/**
 * A task was cancelled: by `handle.cancel(reason)`, its `signal`, its parent's
 * cancellation or `close({ mode: 'cancel' })`. `cause` is the reason given.
 */
export class TaskCancelledError extends SpindleError {
  /** Id of the task that was cancelled. */
  readonly taskId: number;
  /** Name of the task that was cancelled, if it had one. */
  readonly taskName: string | undefined;

  constructor(taskId: number, taskName: string | undefined, reason: unknown) {
    super(`task ${describeTask(taskId, taskName)} was cancelled${describeReason(reason)}`, { cause: reason });
    this.taskId = taskId;
    this.taskName = taskName;
  }
}

/** `spawn` was called on an executor that is closing or closed. */
export class ExecutorClosedError extends SpindleError {
  /** Label of the executor that refused the work. */
  readonly executor: string;

  constructor(executor: string) {
    super(`executor ${executor} is closed: spawn was called after close()`);
    this.executor = executor;
  }
}

/** What was wrong with a task that was refused; see {@link InvalidTaskError}. */
export type InvalidTaskCode =
  | 'not-a-body'
  | 'not-cloneable'
  | 'unknown-reference'
  | 'module-failed'
  | 'invalid-yield'
  | 'invalid-options';

/** Bad input: a body, reference, argument, option or yielded value Spindle cannot run. */
export class InvalidTaskError extends SpindleError {
  /** Machine-readable kind of the problem. */
  readonly code: InvalidTaskCode;
  /** For `not-cloneable`: index of the offending argument, or `-1` for a task's result. */
  readonly argumentIndex: number | undefined;

  constructor(code: InvalidTaskCode, message: string, options?: ErrorOptions & { argumentIndex?: number }) {
    super(message, options);
    this.code = code;
    this.argumentIndex = options?.argumentIndex;
  }
}

/** Names a task in messages: `#12 "fetch"` or `#12`. */
export function describeTask(id: number, name: string | undefined): string {
  return name === undefined ? `#${id}` : `#${id} "${name}"`;
}

/** A short, safe description of any value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'symbol':
      return value.toString();
    case 'function':
      return `function ${value.name || '(anonymous)'}`;
    case 'object': {
      const ctor: unknown = (value as { constructor?: unknown }).constructor;
      const ctorName = typeof ctor === 'function' ? ctor.name : '';
      return ctorName === '' || ctorName === 'Object' ? 'a plain object' : `an instance of ${ctorName}`;
    }
  }
  return typeof value;
}

function describeReason(reason: unknown): string {
  if (reason === undefined) return '';
  if (reason instanceof Error) return `: ${reason.message}`;
  if (typeof reason === 'string') return `: ${reason}`;
  return `: ${describeValue(reason)}`;
}

/** An executor or `close()` was given options it cannot use (a negative slice, an unknown mode). */
export class InvalidOptionsError extends SpindleError {
  /** The option at fault, e.g. `sliceMs`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(message);
    this.option = option;
  }
}

brandErrorClass(SpindleError, '@spindle/core:SpindleError');
brandErrorClass(TaskCancelledError, '@spindle/core:TaskCancelledError');
brandErrorClass(ExecutorClosedError, '@spindle/core:ExecutorClosedError');
brandErrorClass(InvalidTaskError, '@spindle/core:InvalidTaskError');
brandErrorClass(InvalidOptionsError, '@spindle/core:InvalidOptionsError');
