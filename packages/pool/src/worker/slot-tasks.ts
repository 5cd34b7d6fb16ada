import { SpindleError, taskRef } from '@spindle/core';
import { assertCloneable, encodeError } from '@spindle/core/kit';
import type { TaskReference } from '@spindle/core';
import type { Task } from '@spindle/core/kit';
import { InvalidTransferError, WorkerCrashedError } from '../errors.js';
import { takeMoves } from '../shared/moves.js';
import { isDetached } from '../shared/transfer.js';
import { finishFromStatus } from '../shared/outcome.js';
import { readPayload, readResult, writePayload, writeResult } from '../shared/payload.js';
import type { Payload } from '../shared/payload.js';
import { Mail, mailKind, mailSlot } from '../shared/shared-state.js';
import type { SharedState } from '../shared/shared-state.js';
import { SlotAllocator } from '../shared/slot-allocator.js';
import { SlotState, Status, mainOwner } from '../shared/slot-table.js';
import type { SlotTable } from '../shared/slot-table.js';
import type { EventWriter } from './event-writer.js';
import type { WorkFinder } from './find-work.js';
import type { WorkerRuntime } from './worker-runtime.js';
import { ReportTo } from './worker-task.js';
import type { WorkerTask } from './worker-task.js';

const cancelReason = new SpindleError('the task was cancelled by its owner');

/**
 * The tasks of one worker that live in shared slots: children it spawned into shared
 * memory (their handles stay here as proxies, wherever they run), and guests, the tasks it
 * runs for another thread (a child of another worker, or a task of the main thread). It
 * moves their outcomes between slots, mailboxes and the main thread.
 */
export class SlotTasks {
  /** Children spawned here that went into shared memory, by slot. */
  private readonly proxies = new Map<number, WorkerTask>();
  /** Tasks running here for another thread, by slot. */
  private readonly guests = new Map<number, WorkerTask>();
  /** Ids of the guests: the thread holding a guest's handle reports its settlement, not this one. */
  private readonly guestIds = new Set<number>();
  private readonly references = new Map<string, Map<string, TaskReference<never>>>();
  private readonly allocator: SlotAllocator;
  private readonly slots: SlotTable;

  constructor(
    private readonly runtime: WorkerRuntime,
    private readonly shared: SharedState,
    private readonly index: number,
    private readonly finder: WorkFinder,
    private readonly out: EventWriter,
  ) {
    this.allocator = new SlotAllocator(shared.freeSlots);
    this.slots = shared.slots;
  }

  /** True for a task this worker runs for another thread. */
  isGuest(taskId: number): boolean {
    return this.guestIds.has(taskId);
  }

  /** Puts a child into shared memory and onto this worker's deque; false if it does not fit. */
  share(task: WorkerTask, parent: Task, payload: Payload): boolean {
    const slot = this.allocator.alloc();
    if (slot < 0) return false;
    const slots = this.slots;
    // Only the main thread's tasks are timed (their figures are the pool's stats).
    slots.prepare(slot, this.index, task.id, parent.id, task.priority, 0);
    if (!writePayload(this.shared, slot, payload)) {
      this.allocator.free(slot);
      return false;
    }
    slots.queue(slot, false);
    if (!this.finder.push(slot)) {
      this.freeSlot(slot);
      return false;
    }
    task.slot = slot;
    this.proxies.set(slot, task);
    this.finder.announce();
    return true;
  }

  /** Stops a child of this worker that has no body here: it waits in shared memory, or runs elsewhere. */
  cancel(task: WorkerTask): void {
    const slot = task.slot;
    if (slot < 0) {
      task.finish(false, undefined);
      return;
    }
    if (this.shared.cancel(slot) === SlotState.Queued) {
      // Whoever takes the slot from a queue frees it without running it.
      this.proxies.delete(slot);
      task.slot = -1;
      task.finish(false, undefined);
    }
    // Running: its runner has been told. Done: its outcome is in the mailbox already.
  }

  /** Claims a slot taken from a shared queue (stolen from worker `from`, or -1) and starts its task; nothing if it was cancelled there. */
  start(slot: number, from: number): void {
    if (!this.slots.claim(slot, this.index)) {
      this.freeSlot(slot);
      return;
    }
    const owner = this.slots.owner(slot);
    const [module, exportName, args, name] = readPayload(this.shared, slot);
    let task = owner === this.index ? this.proxies.get(slot) : undefined;
    if (task === undefined) {
      task = this.guest(slot, owner, name, this.slots.priority(slot));
      if (from >= 0 && this.runtime.forwarding) this.out.steal(task.id, from, this.index);
    } else {
      this.proxies.delete(slot);
    }
    this.run(task, module, exportName, args);
  }

  /** Claims and starts a task the main thread posted here; nothing if it was cancelled meanwhile. */
  startPosted(slot: number, payload: Payload): void {
    if (!this.slots.claim(slot, this.index)) {
      this.freeSlot(slot);
      return;
    }
    const [module, exportName, args, name] = payload;
    this.run(this.guest(slot, mainOwner, name, this.slots.priority(slot)), module, exportName, args);
  }

  /** A task of this thread settled: its outcome goes to whoever holds its handle. */
  settled(task: WorkerTask): void {
    if (task.reportTo === ReportTo.here) {
      // A child of this worker that ran here from its slot: the slot is done with.
      if (task.slot >= 0 && task.coroutine !== undefined) this.freeSlot(task.slot);
      return;
    }
    this.guestIds.delete(task.id);
    // Reported now, not in a microtask: a task that calls process.exit() may end this thread
    // before the next microtask, and the outcome must be in shared memory by then.
    const outcome = task.observeOutcome();
    if (task.state === 'fulfilled') this.report(task, Status.Fulfilled, outcome);
    else this.report(task, task.state === 'cancelled' ? Status.Cancelled : Status.Rejected, encodeError(outcome));
  }

  /** An item of this worker's mailbox: a child's outcome is in its slot, or a task here was asked to stop. */
  readonly onMail = (item: number): void => {
    const slot = mailSlot(item);
    if (mailKind(item) === Mail.Cancel) {
      const task = this.guests.get(slot) ?? this.proxies.get(slot);
      if (task !== undefined && this.slots.cancelRequested(slot)) task.cancel(cancelReason);
      return;
    }
    const status = this.slots.status(slot);
    this.completeProxy(slot, status, status === Status.Crashed ? undefined : readResult(this.shared, slot));
  };

  /** A child's outcome that was too large for its slot, passed on by the main thread. */
  completeProxy(slot: number, status: number, value: unknown): void {
    const task = this.proxies.get(slot);
    const runner = this.slots.runner(slot);
    this.freeSlot(slot);
    // No proxy: a completion for a worker that died and was replaced; the slot is freed.
    if (task === undefined) return;
    this.proxies.delete(slot);
    task.slot = -1;
    task.state = 'suspended';
    finishFromStatus(task, status, value, () => new WorkerCrashedError(runner, 'the worker running it died'));
  }

  /** A task this worker runs for another thread; its children inherit `priority`. */
  private guest(slot: number, owner: number, name: string | undefined, priority: number): WorkerTask {
    const options = name === undefined ? { priority } : { name, priority };
    const task = this.runtime.newTask(undefined, this.slots.taskId(slot), options);
    task.slot = slot;
    task.reportTo = owner;
    this.guests.set(slot, task);
    this.guestIds.add(task.id);
    return task;
  }

  private run(task: WorkerTask, module: string, exportName: string, args: readonly unknown[]): void {
    // A main-thread task's wait ends here (the clock is read only for timed tasks).
    if (task.reportTo === ReportTo.main) this.slots.started(task.slot);
    task.module = module;
    this.runtime.begin(task, this.reference(module, exportName), args);
    // A result that leaves this thread goes through report(), which proves it can cross (it
    // serialises it, or clones it moving its buffers). The harness's own check would clone
    // it once more: a copy of every buffer a result moves.
    if (task.reportTo !== ReportTo.here) task.reference = false;
    // Its owner may have asked it to stop before this worker claimed it: it never starts.
    if (task.reportTo !== ReportTo.here && this.slots.cancelRequested(task.slot)) task.cancel(cancelReason);
    if (!task.bodyFinished) this.runtime.step(task);
  }

  /** One reference per module and export: `taskRef` parses the URL, which costs more than a tiny task. */
  private reference(module: string, exportName: string): TaskReference<never> {
    let exports = this.references.get(module);
    if (exports === undefined) this.references.set(module, (exports = new Map<string, TaskReference<never>>()));
    let ref = exports.get(exportName);
    if (ref === undefined) exports.set(exportName, (ref = taskRef(module, exportName) as TaskReference<never>));
    return ref;
  }

  /** A guest settled: hand its outcome to the thread holding its handle. */
  private report(task: WorkerTask, status: number, value: unknown): void {
    const slot = task.slot;
    this.guests.delete(slot);
    if (task.reportTo === ReportTo.main) this.slots.ended(slot);
    // A result given with moved(): its buffers go with a message, never through the slot.
    let transfer = status === Status.Fulfilled ? takeMoves(value) : undefined;
    let fits = false;
    if (transfer !== undefined) {
      const moving = movable(value, transfer);
      value = moving.value;
      transfer = moving.transfer;
      if (transfer === undefined) status = Status.Rejected;
    } else {
      try {
        fits = writeResult(this.shared, slot, value);
      } catch (error) {
        status = Status.Rejected;
        value = encodeError(notCloneable(value, error));
        fits = writeResult(this.shared, slot, value);
      }
    }
    if (!fits) {
      // Too large for the slot, or moving: it travels by message (through the main thread
      // for another worker's task), posted now so that a crash of this thread cannot take
      // it (a dead worker's port is drained before its exit event). Marked first, so that a
      // crash does not fail it too.
      this.slots.finish(slot, Status.Relayed);
      if (task.reportTo === ReportTo.main) this.out.doneWithValue(slot, status, value, this.runtime.forwarding, transfer);
      else this.out.relay(task.reportTo, slot, status, value, transfer);
      this.runtime.flush();
      return;
    }
    // The outcome is in shared memory before its owner hears of it: if this thread dies
    // first, the main thread finds it there (see crash recovery).
    this.slots.finish(slot, status);
    if (task.reportTo !== ReportTo.main) this.shared.tell(task.reportTo, slot, Mail.Done);
    // With no events to keep in order, the outcome goes through the main thread's mailbox:
    // no message to serialise on this side nor to dispatch on that one.
    else if (!this.runtime.forwarding && this.out.empty) this.shared.tellMain(slot);
    else this.out.done(slot, task.id, this.runtime.forwarding);
  }

  private freeSlot(slot: number): void {
    this.slots.free(slot);
    this.allocator.free(slot);
    if (this.shared.roomWanted) {
      this.allocator.flush();
      this.shared.madeRoom();
    }
  }
}

/**
 * A result given with `moved()`, ready to post: cloned once with its buffers transferred
 * into the clone (no copy; the check that it can cross), with the clone's buffers to move.
 * A list that cannot move, or a value that cannot cross, gives the encoded error instead
 * (`transfer` undefined).
 */
function movable(value: unknown, transfer: readonly ArrayBuffer[]): { readonly value: unknown; readonly transfer: readonly ArrayBuffer[] | undefined } {
  const detached = transfer.findIndex(isDetached);
  if (detached >= 0) {
    const error = new InvalidTransferError('detached', detached, `transfer[${detached}] of the result was moved elsewhere before the task returned it`);
    return { value: encodeError(error), transfer: undefined };
  }
  try {
    const [clone, buffers] = structuredClone<[unknown, ArrayBuffer[]]>([value, transfer as ArrayBuffer[]], { transfer: [...transfer] });
    return { value: clone, transfer: buffers };
  } catch (error) {
    return { value: encodeError(notCloneable(value, error)), transfer: undefined };
  }
}

/** The error for a result that failed to serialise: core's `not-cloneable`, naming why. */
function notCloneable(value: unknown, error: unknown): unknown {
  try {
    assertCloneable([value], 'result');
  } catch (refusal) {
    return refusal;
  }
  return error;
}
