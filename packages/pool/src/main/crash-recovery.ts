import { WorkerCrashedError } from '../errors.js';
import { Mail } from '../shared/shared-state.js';
import type { SharedState } from '../shared/shared-state.js';
import { SlotState, Status, mainOwner } from '../shared/slot-table.js';
import type { Handover } from './handover.js';
import type { Outcomes } from './outcomes.js';
import type { PoolTask } from './pool-task.js';
import type { Workers } from './workers.js';

/** The parts of a pool that recovering from a dead worker acts on. */
export interface Survivors {
  readonly shared: SharedState;
  readonly outcomes: Outcomes;
  readonly handover: Handover;
  readonly workers: Workers;
  readonly maxThreads: number;
}

/**
 * Worker `index` died (it crashed, or the pool terminated it to stop a stuck cancelled
 * task). Nothing it held is lost, and nothing runs twice:
 * - results it posted to the main thread's mailbox are taken first, then those it wrote
 *   into slots but had not announced are read from there;
 * - tasks it was running fail with `WorkerCrashedError` (the main thread's at once, other
 *   workers' children through their owner's mailbox), or settle as cancelled if they were
 *   being cancelled;
 * - its own children, whose handles died with it, are cancelled (freed where it ran them);
 * - tasks still in its deque move to the inject queue and run elsewhere;
 * - tasks posted to it by message that it had not claimed are posted again, except those
 *   that moved buffers to it (the buffers are gone): they fail with `WorkerCrashedError`.
 * Then a new worker takes its place (same index, same deque and mailbox).
 */
export function recoverFrom(index: number, cause: unknown, pool: Survivors): void {
  const { shared, outcomes } = pool;
  const slots = shared.slots;
  outcomes.skipLostSequence();
  outcomes.takePosted();
  const crashed = new WorkerCrashedError(index, cause);
  const repost: PoolTask[] = [];
  for (let slot = 0; slot < slots.count; slot++) {
    const state = slots.state(slot);
    const owner = slots.owner(slot);
    const runner = slots.runner(slot);
    if (state === SlotState.Done && runner === index && owner === mainOwner) {
      // Finished, but the notice was still in the dead thread's buffer: the result is here.
      if (slots.status(slot) !== Status.Relayed) outcomes.completeFromSlot(slot, slots.taskId(slot));
    } else if (state === SlotState.Running && runner === index) {
      if (owner === mainOwner) outcomes.complete(slot, Status.Crashed, undefined, crashed);
      // Its parent died with it too: nobody waits for it.
      else if (owner === index) outcomes.release(slot);
      else {
        slots.finish(slot, Status.Crashed);
        shared.tell(owner, slot, Mail.Done);
      }
    } else if (owner === index && (state === SlotState.Queued || state === SlotState.Running)) {
      // Its parent died with the worker: nobody is left to receive its result.
      shared.cancel(slot);
    } else if (state === SlotState.Queued && owner === mainOwner && slots.pinned(slot)) {
      const task = outcomes.taskIn(slot);
      // Buffers moved to the dead worker died with it: such a task cannot run anywhere.
      if (task?.worker === index && task.transfer !== undefined) outcomes.complete(slot, Status.Crashed, undefined, crashed);
      else if (task?.worker === index) repost.push(task);
    }
  }
  // Whatever is still in its deque runs elsewhere.
  const deque = shared.deques[index];
  if (deque !== undefined) {
    const moved: number[] = [];
    for (let item = deque.steal(); item !== -1; item = deque.steal()) if (item >= 0) moved.push(item);
    shared.requeue(moved, 0, moved.length);
  }
  pool.workers.restart(index);
  for (const task of repost) pool.handover.repost(task);
  shared.wake(pool.maxThreads, 0, pool.maxThreads);
}
