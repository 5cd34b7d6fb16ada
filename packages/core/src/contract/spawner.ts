import type { BodyResult, MachineResult, SpawnArgs, SpawnOptions, SpawnResult, Spawnable } from './body.js';
import type { TaskContext } from './context.js';
import type { TaskHandle } from './task-handle.js';
import type { TaskReference } from './task-reference.js';

/**
 * What can spawn a task: an executor, and a task's context (whose children are
 * structured). One method, typed for each kind of body so that the natural way to write
 * one type-checks: an untyped `ctx` is a `TaskContext`, the arguments and the result are
 * inferred from the body, and a state machine's methods see its own fields as `this`.
 */
export interface Spawner {
  /**
   * Spawns a function body (plain, `async` or generator) with its arguments; returns its
   * handle at once. `spawn((ctx, n: number) => n + 1, [41])`.
   */
  spawn<A extends unknown[], R>(body: (ctx: TaskContext, ...args: A) => R, args?: A, options?: SpawnOptions): TaskHandle<BodyResult<R>>;
  /** Spawns a task reference with its arguments (structured-cloneable). */
  spawn<A extends unknown[], R>(body: TaskReference<A, R>, args?: A, options?: SpawnOptions): TaskHandle<R>;
  /**
   * Spawns a state machine: an object whose `next()` advances one step; it fulfils with its
   * `result`. An object literal's methods see its own fields as `this`. (An object that is
   * not a state machine is refused at the call, with `InvalidTaskError`.)
   */
  spawn<M extends object>(body: M & ThisType<M>, args?: [], options?: SpawnOptions): TaskHandle<MachineResult<M>>;
  /** Spawns any body, typed from what it is (for code that holds a `Spawnable`). */
  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: SpawnOptions): TaskHandle<SpawnResult<B>>;
}
