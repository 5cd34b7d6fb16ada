import { AsyncResource } from 'node:async_hooks';
import { Coroutine, Task } from '@spindle/core';
import type { SpawnOptions, Spawnable, TaskOwner } from '@spindle/core';
import type { Slotted } from './ready-queue.js';

/** A task plus what the round-robin executor keeps for it. */
export class RoundRobinTask extends Task implements Slotted {
  readonly coroutine: Coroutine;
  /** The async context the task was spawned in; every step runs inside it. */
  readonly scope: AsyncResource;
  /** The body is a task reference, so its result must be structured-cloneable. */
  readonly reference: boolean;
  /** Parked on a promise-like; `token` tells a current wake from a stale one. */
  parked = false;
  /** A step is running and asked to cancel its own task: interrupt once the step returns. */
  interruptAfterStep = false;
  /** `await ctx.yield()` calls waiting for their turn (async bodies only). */
  turns: { onTurn: () => void; onCancel: (error: unknown) => void }[] | undefined = undefined;
  /** The ready queue's bookkeeping; see {@link Slotted}. */
  slot = 0;
  queued = 0;
  retired = false;

  constructor(
    owner: TaskOwner,
    parent: Task | undefined,
    body: Spawnable,
    args: readonly unknown[],
    options: SpawnOptions | undefined,
    reference: boolean,
  ) {
    super(owner, parent, options);
    this.coroutine = new Coroutine(body, args, this.context);
    this.scope = new AsyncResource('spindle.task', { requireManualDestroy: true });
    this.reference = reference;
  }
}
