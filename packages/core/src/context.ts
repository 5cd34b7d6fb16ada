import type { SpawnOptions, Spawnable, SpawnArgs, SpawnResult } from './body.js';
import type { TaskHandle } from './task-handle.js';

/**
 * What a running body sees of its task: the one API, the same on every executor, for
 * structured fork–join. Children spawned here belong to this task: cancelling it cancels
 * them, and it does not settle until they have.
 */
export interface TaskContext {
  /** The task's stable id. */
  readonly taskId: number;
  /** The task's name, if it was given one. */
  readonly name: string | undefined;
  /** Aborts when the task is cancelled; pass it to anything that accepts a signal. */
  readonly signal: AbortSignal;
  /**
   * Spawns a child task on the same executor. Returns its handle at once; await it (or
   * `yield` it from a generator, or return it from a state machine's `next()`) to join.
   */
  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: SpawnOptions): TaskHandle<SpawnResult<B>>;
  /**
   * Joins a child: the same handle, marked as observed, so its failure is delivered here
   * rather than failing this task.
   */
  join<T>(handle: TaskHandle<T>): TaskHandle<T>;
  /**
   * A yield point. `yield ctx.yield()` in a generator, `await ctx.yield()` in an async body,
   * or return it from a state machine's `next()`: the task goes to the back of the ready
   * queue and resumes on its next turn.
   */
  yield(): YieldPoint;
}

/**
 * The value `ctx.yield()` returns. Executors recognise it when it is yielded; when it is
 * awaited, `then` asks the executor for the task's next turn.
 */
export class YieldPoint implements PromiseLike<undefined> {
  /** @internal */
  readonly turn: () => Promise<undefined>;

  constructor(turn: () => Promise<undefined>) {
    this.turn = turn;
  }

  then<A = void, B = never>(
    onfulfilled?: ((value: undefined) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.turn().then(onfulfilled, onrejected);
  }
}
