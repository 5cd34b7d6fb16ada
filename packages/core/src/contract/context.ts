import type { Spawner } from './spawner.js';
import type { TaskHandle } from './task-handle.js';

/**
 * What a running body sees of its task: the one API, the same on every executor, for
 * structured fork–join. Children spawned here belong to this task: cancelling it cancels
 * them, and it does not settle until they have.
 */
export interface TaskContext extends Spawner {
  /** The task's stable id. */
  readonly taskId: number;
  /** The task's name, if it was given one. */
  readonly name: string | undefined;
  /** Aborts when the task is cancelled; pass it to anything that accepts a signal. */
  readonly signal: AbortSignal;
  // `spawn` (from Spawner) spawns a child task on the same executor and returns its
  // handle at once; await it (or `yield` it from a generator, or return it from a state
  // machine's `next()`) to join.
  /**
   * Joins a child: the same handle, marked as observed, so its failure is delivered here
   * rather than failing this task.
   */
  join<T>(handle: TaskHandle<T>): TaskHandle<T>;
  /**
   * A yield point. `yield ctx.yield()` in a generator, `await ctx.yield()` in an async body,
   * or return it from a state machine's `next()`: the task goes to the back of the ready
   * queue and resumes on its next turn. In an async body, await it where you call it: its
   * turn is asked for at the call (after the body's first `await`), and it rejects with the
   * cancellation if the task is cancelled before its turn comes.
   */
  yield(): PromiseLike<undefined>;
}

/** How an executor delivers a turn to an `await ctx.yield()`: call exactly one, once. */
export type TurnRequest = (onTurn: () => void, onCancel: (error: unknown) => void) => void;

/**
 * What `ctx.yield()` returns where the body is stepped (a generator, a state machine, an
 * async body before its first `await`). Executors recognise it when it is yielded or
 * returned; when it is awaited, `then` asks the executor for the task's next turn. (Once an
 * async body has awaited, `ctx.yield()` asks for the turn itself and returns a native
 * promise: awaiting that costs no job of its own.)
 */
export class YieldPoint implements PromiseLike<undefined> {
  /** @internal */
  readonly request: TurnRequest;

  constructor(request: TurnRequest) {
    this.request = request;
  }

  then<A = undefined, B = never>(
    onfulfilled?: ((value: undefined) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    // The callbacks run the moment the turn comes, not a microtask later: for `await`
    // they are the engine's own resolvers, so the body continues before the executor
    // steps anything else, which keeps async bodies in their round-robin place.
    return new Promise<A | B>((resolve, reject) => {
      this.request(
        () => {
          if (onfulfilled == null) {
            resolve(undefined as A);
            return;
          }
          try {
            resolve(onfulfilled(undefined));
          } catch (error) {
            reject(error);
          }
        },
        (error: unknown) => {
          if (onrejected == null) {
            reject(error);
            return;
          }
          try {
            resolve(onrejected(error));
          } catch (thrown) {
            reject(thrown);
          }
        },
      );
    });
  }
}
