import { AsyncResource } from 'node:async_hooks';
import { Coroutine, Task } from '@spindle/core';
import type { InstructionHandler, SpawnOptions, Spawnable, TaskOwner } from '@spindle/core';

/** A task plus what the trampoline keeps for it. */
export class TrampolineTask extends Task {
  /** Steps the body; dropped once the task has settled, so that a settled handle stays small. */
  coroutine: Coroutine | undefined;
  /** The async context the task was spawned in; steps started by the executor run inside it. */
  scope: AsyncResource | undefined;
  /** The body is a task reference, so its result must be structured-cloneable. */
  readonly reference: boolean;
  /** The body's return value, kept once it fulfilled so that a join of a settled task is answered at once. */
  result: unknown = undefined;
  /** Parked on a promise-like; `token` tells a current wake from a stale one. */
  parked = false;
  /** A step is running and asked to cancel its own task: interrupt once the step returns. */
  interruptAfterStep = false;
  /** What the task keeps for waiting; made on its first park (many tasks never park). */
  waiting: Waiting | undefined = undefined;
  /** `await ctx.yield()` calls waiting for their turn (async bodies only). */
  turns: { onTurn: () => void; onCancel: (error: unknown) => void }[] | undefined = undefined;

  constructor(
    owner: TaskOwner,
    parent: Task | undefined,
    body: Spawnable,
    args: readonly unknown[],
    options: SpawnOptions | undefined,
    reference: boolean,
    instructions: InstructionHandler,
  ) {
    super(owner, parent, options);
    this.coroutine = new Coroutine(body, args, this.context, instructions);
    this.scope = new AsyncResource('spindle.task', { requireManualDestroy: true });
    this.reference = reference;
  }
}

/** A task's waiting state: its wake callbacks and the last promise it saw settle. */
export class Waiting {
  /** Wake callbacks for the token they were made with, reused for every park. */
  readonly onSettled: (value: unknown) => void;
  readonly onFailed: (error: unknown) => void;
  /** The native promise (or task) the task is parked on, if it may be cached. */
  awaiting: unknown = undefined;
  /**
   * The last native promise (or task) the task waited for, and how it settled: waiting on
   * it again is answered within the step, without a microtask (it cannot change).
   */
  lastAwaited: unknown = undefined;
  lastValue: unknown = undefined;
  lastFailed = false;

  constructor(onSettled: (value: unknown) => void, onFailed: (error: unknown) => void) {
    this.onSettled = onSettled;
    this.onFailed = onFailed;
  }
}
