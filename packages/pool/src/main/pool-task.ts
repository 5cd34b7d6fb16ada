import { Task } from '@spindle/core/kit';
import type { SpawnOptions } from '@spindle/core';
import type { TaskOwner } from '@spindle/core/kit';
import type { Payload } from '../shared/payload.js';

/** A main-thread handle of a pool task: core's Task, settled by what the worker reports. */
export class PoolTask extends Task {
  /** What the worker runs; dropped once a worker took the task. */
  payload: Payload | undefined;
  /** Travels by message (holds shared memory, moves buffers, or is larger than a slot). */
  readonly byMessage: boolean;
  /** The buffers its arguments move to the worker (`transfer`), if any. */
  readonly transfer: readonly ArrayBuffer[] | undefined;
  /** Shared slot once the task left the main thread, else -1. */
  slot = -1;
  /** Worker it was posted to (by-message tasks). */
  worker = -1;
  /** When it was spawned (epoch ms) if its wait and run are timed, else 0. */
  spawnedAt = 0;

  constructor(owner: TaskOwner, options: SpawnOptions | undefined, payload: Payload, byMessage: boolean, transfer: readonly ArrayBuffer[] | undefined) {
    super(owner, undefined, options);
    this.payload = payload;
    this.transfer = transfer;
    this.byMessage = byMessage || transfer !== undefined;
  }
}
