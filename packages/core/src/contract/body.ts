import type { TaskContext } from './context.js';
import type { TaskReference } from './task-reference.js';

/**
 * A body written as a function. It receives the task's context first, then the spawn
 * arguments. Plain functions, `async` functions and generator functions are all bodies:
 * a generator's `yield` is a yield point (yield a promise or task handle to await it).
 */
export type TaskFunction<A extends unknown[] = never[], R = unknown> = (ctx: TaskContext, ...args: A) => R;

/**
 * The state-machine body: `next()` advances one step and says what happened.
 * - `true`: finished; the executor then reads `result`.
 * - `false` (or `ctx.yield()`): not finished; step me again on my next turn.
 * - a promise-like (a task handle, say): park until it settles, then step me again. The
 *   machine keeps its own reference to whatever it waits for. If it rejects, the task
 *   fails with that error unless the machine has `throw`.
 *
 * `return()` (optional) runs when the task is cancelled between steps: the machine's cleanup.
 * `throw(error)` (optional) receives a rejection of what it waited for and may recover
 * (return normally) or rethrow.
 */
export interface StateMachine<R = unknown> {
  next(ctx: TaskContext): boolean | PromiseLike<unknown>;
  readonly result: R;
  return?(): void;
  throw?(error: unknown): void;
}

/** What a state machine `M` fulfils with. */
export type MachineResult<M> = M extends StateMachine<infer R> ? R : never;

/** Anything an executor can spawn: a function body, a state machine, or a task reference. */
export type Spawnable = TaskFunction | StateMachine | TaskReference<never>;

/** The arguments a spawnable takes after its context. */
export type SpawnArgs<B> = B extends TaskReference<infer A>
  ? A
  : B extends (ctx: TaskContext, ...args: infer A) => unknown
    ? A
    : [];

/** What a body returns, unwrapped: the generator's return value, the awaited promise, the machine's result. */
export type BodyResult<X> = X extends Generator<unknown, infer G, never>
  ? G
  : X extends AsyncGenerator
    ? never
    : Awaited<X>;

/** The value a task handle fulfils with for a given spawnable. */
export type SpawnResult<B> = B extends TaskReference<never, infer R>
  ? R
  : B extends StateMachine<infer R>
    ? R
    : B extends (...args: never[]) => infer X
      ? BodyResult<X>
      : never;

/** Options every executor's `spawn` accepts. */
export interface SpawnOptions {
  /** Cancels the task when it aborts; an already aborted signal cancels it at once. */
  readonly signal?: AbortSignal;
  /** A name for diagnostics and error messages. */
  readonly name?: string;
  /**
   * A finite number: higher starts first. Default: the parent's priority for a child, 0
   * for a task spawned from outside. On executors that declare the `priorities`
   * capability, a ready task of a higher priority always takes the next step before one of
   * a lower priority (each executor's README says what it orders by it).
   */
  readonly priority?: number;
}
