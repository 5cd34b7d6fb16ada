import { PriorityLanes, RingQueue } from '@spindle/core/kit';
import type { Payload } from '../shared/payload.js';
import type { WorkerTask } from './worker-task.js';

/** A task the main thread posted to this worker (its payload travelled by message), not yet claimed. */
export interface PostedTask {
  readonly slot: number;
  readonly payload: Payload;
  readonly priority: number;
}

/**
 * Tasks that can start on this worker only, highest priority first, FIFO within one:
 * children spawned here that hold shared memory or do not fit a slot (their bodies begun),
 * and tasks the main thread posted here by message.
 */
export class LocalStarts {
  private readonly lanes = new PriorityLanes<WorkerTask | PostedTask>(() => new RingQueue<WorkerTask | PostedTask>(16));

  get size(): number {
    return this.lanes.size;
  }

  push(task: WorkerTask | PostedTask): void {
    this.lanes.push(task);
  }

  shift(): WorkerTask | PostedTask | undefined {
    return this.lanes.shift();
  }

  /**
   * Whether the first task here goes before a task of priority `urgency` waiting in a shared
   * queue: it has at least that priority (ties stay here, where nobody else can run them).
   */
  goesBefore(urgency: number): boolean {
    // "At least `urgency`" is "above the double just below it": the lanes answer "above".
    return urgency === Number.NEGATIVE_INFINITY || this.lanes.outranks(nextBelow(urgency));
  }
}

const float = new Float64Array(1);
const bits = new BigInt64Array(float.buffer);

/** The largest double below a finite `x`. */
function nextBelow(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  float[0] = x;
  // Doubles of one sign are ordered as their bit patterns: one step in the pattern is the next double.
  bits[0] = (bits[0] ?? 0n) + (x > 0 ? -1n : 1n);
  return float[0];
}
