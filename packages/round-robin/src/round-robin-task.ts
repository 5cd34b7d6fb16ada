import { SteppedTask } from '@spindle/core/kit';
import type { Slotted } from './ready-queue.js';

/** A task plus the round-robin ready queue's bookkeeping (see {@link Slotted}). */
export class RoundRobinTask extends SteppedTask implements Slotted {
  slot = 0;
  queued = 0;
  retired = false;
}
