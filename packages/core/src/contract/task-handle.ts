import type { TaskState } from './task-state.js';

/**
 * What `spawn` returns: a real thenable with Promise semantics (`await` it, chain it,
 * pass it to `Promise.all`), plus the task's identity and a way to cancel it.
 */
export interface TaskHandle<T> extends PromiseLike<T> {
  /** Stable numeric id, unique within the thread that spawned the task. */
  readonly id: number;
  /** Optional name given at spawn. */
  readonly name: string | undefined;
  /** What it was spawned with (`SpawnOptions.priority`), else its parent's, else 0. */
  readonly priority: number;
  /** Current state; see {@link TaskState}. */
  readonly state: TaskState;
  /**
   * Requests cancellation. Unfinished children are cancelled first, cleanup (`finally`)
   * runs, and the handle rejects with `TaskCancelledError` whose `cause` is `reason`.
   * Does nothing once the task has settled.
   */
  cancel(reason?: unknown): void;
  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B>;
  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B>;
  finally(onfinally?: (() => void) | null): Promise<T>;
}
