import { SteppedTask } from '@spindle/core/kit';
import type { SpawnOptions } from '@spindle/core';
import type { SteppedOwner, Task } from '@spindle/core/kit';
import type { Slotted } from './ready-queue.js';

/** A task plus the round-robin ready queue's bookkeeping (see {@link Slotted}). */
export class RoundRobinTask extends SteppedTask implements Slotted {
  declare slot: number;
  declare entries: number;

  // Assigned here, not initialised where declared: one constructor per class level, no
  // default derived constructor forwarding its arguments (see `SteppedTask`).
  constructor(owner: SteppedOwner, parent: Task | undefined, options: SpawnOptions | undefined) {
    super(owner, parent, options);
    this.slot = 0;
    this.entries = 0;
  }
}
