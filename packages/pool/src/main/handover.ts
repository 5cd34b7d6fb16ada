import { PriorityLanes, RingQueue } from '@spindle/core/kit';
import { writePayload } from '../shared/payload.js';
import { Control } from '../shared/shared-state.js';
import type { SharedState } from '../shared/shared-state.js';
import type { SlotAllocator } from '../shared/slot-allocator.js';
import { mainOwner } from '../shared/slot-table.js';
import type { ResolvedPoolOptions } from './options.js';
import type { Outcomes } from './outcomes.js';
import type { PoolTask } from './pool-task.js';
import type { Workers } from './workers.js';

/**
 * How tasks spawned on the main thread reach the workers, and backpressure: accepted tasks
 * wait on this thread until a flush (one microtask per burst of spawns) moves them into
 * shared slots and the inject queue, or posts them to one worker when their payload must
 * travel by message. When slots run out, or `maxQueue` tasks wait, it watches for room.
 * Tasks leave this thread highest priority first; a task of priority 0 goes to the inject
 * queue, any other to the priority queue.
 * (The accounting of accepted tasks and `close()` are the kit's `Intake`, in the executor.)
 */
export class Handover {
  private readonly pending = new PriorityLanes<PoolTask>(() => new RingQueue<PoolTask>(64));
  private flushScheduled = false;
  private waitingForRoom = false;
  private watchingSpace = false;
  private spaceWaiters: (() => void)[] = [];
  private readonly flushBound = (): void => {
    this.flush();
  };

  constructor(
    private readonly shared: SharedState,
    private readonly allocator: SlotAllocator,
    private readonly outcomes: Outcomes,
    private readonly workers: Workers,
    private readonly options: ResolvedPoolOptions,
  ) {}

  /** Tasks waiting to start: on the main thread plus in the inject and priority queues. */
  get queued(): number {
    return this.pending.size + this.shared.inject.size + this.shared.priority.size;
  }

  /** Queues an accepted task for the next flush. */
  accept(task: PoolTask): void {
    this.pending.push(task);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // One hand-over per burst of spawns: the inject queue's lock is taken once for all.
    queueMicrotask(this.flushBound);
  }

  /** A worker reported: slots may have been freed, and the queue may have shrunk. */
  afterReport(): void {
    if (this.pending.size > 0) this.flush();
    else this.notifySpace();
  }

  /** Resolves when fewer than `maxQueue` tasks wait to start (backpressure with `onFull: 'wait'`). */
  whenBelowMax(): Promise<void> {
    if (this.queued < this.options.maxQueue) return Promise.resolve();
    const space = new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    this.watchForSpace();
    return space;
  }

  /** Posts again a task pinned to a worker that died before it claimed the task (not one that moved buffers: they died with it). */
  repost(task: PoolTask): void {
    if (task.payload !== undefined && task.transfer === undefined) this.post(task, task.slot, task.payload);
  }

  /**
   * Moves tasks accepted on this thread into shared memory, in one batch per queue. Higher
   * priorities are published first (the priority queue's positive ones, the inject queue,
   * then its negative ones), so that no worker sees a task before a more urgent one of the
   * same flush.
   */
  private flush(): void {
    this.flushScheduled = false;
    const shared = this.shared;
    const slots = shared.slots;
    const batch: number[] = [];
    // Tasks of another priority than 0, with their priorities, in the order they leave.
    const ranked: number[] = [];
    const priorities: number[] = [];
    let positive = 0;
    while (this.pending.size > 0) {
      // A slot first: the task is taken from its lane only once it has one.
      const slot = this.allocator.alloc();
      if (slot < 0) {
        this.waitForRoom();
        break;
      }
      const task = this.pending.shift();
      const payload = task?.payload;
      if (task === undefined || task.bodyFinished || payload === undefined) {
        this.allocator.free(slot);
        continue;
      }
      const priority = task.priority;
      if (priority !== 0) shared.prioritize();
      slots.prepare(slot, mainOwner, task.id, -1, priority, task.spawnedAt);
      this.outcomes.track(slot, task);
      if (!task.byMessage && writePayload(shared, slot, payload)) {
        slots.queue(slot, false);
        task.payload = undefined;
        if (priority === 0) {
          batch.push(slot);
        } else {
          if (priority > 0) positive++;
          ranked.push(slot);
          priorities.push(priority);
        }
      } else {
        slots.queue(slot, true);
        this.post(task, slot, payload);
      }
    }
    const queued = batch.length + ranked.length;
    if (queued > 0) {
      // Each queue holds as many entries as there are slots, so neither can be full here.
      shared.priority.pushBatch(ranked, priorities, 0, positive);
      shared.inject.pushBatch(batch, 0, batch.length);
      shared.priority.pushBatch(ranked, priorities, positive, ranked.length - positive);
      shared.wake(queued, 0, this.options.maxThreads);
      // Read after the push: a worker that retires later sees the work before it leaves.
      this.workers.ensureOne();
    }
    this.notifySpace();
  }

  /**
   * Posts a task whose payload travels by message: it runs on the worker that receives it.
   * The payload is kept for a repost, unless its buffers moved: then there is nothing left
   * to post again.
   */
  private post(task: PoolTask, slot: number, payload: NonNullable<PoolTask['payload']>): void {
    task.worker = this.workers.postTask({ t: 'task', slot, payload }, task.transfer);
    if (task.transfer !== undefined) task.payload = undefined;
  }

  private waitForRoom(): void {
    if (this.waitingForRoom) return;
    this.waitingForRoom = true;
    const control = this.shared.control;
    Atomics.store(control, Control.roomWanted, 1);
    const waiting = Atomics.waitAsync(control, Control.roomWanted, 1, 20);
    const retry = (): void => {
      this.waitingForRoom = false;
      this.flush();
    };
    if (waiting.async) void waiting.value.then(retry);
    else queueMicrotask(retry);
  }

  /**
   * The queue also shrinks without a word to this thread: a worker that takes tasks from the
   * inject queue (cancelled ones it frees, or ones that park) sends nothing until some task
   * finishes. While anyone waits for space, ask the workers to notify `roomWanted` when they
   * take from it, and look again each time (or after a short timeout, so that a pending
   * wait never keeps the process alive on its own).
   */
  private watchForSpace(): void {
    if (this.watchingSpace || this.spaceWaiters.length === 0) return;
    this.watchingSpace = true;
    const control = this.shared.control;
    Atomics.store(control, Control.roomWanted, 1);
    const waiting = Atomics.waitAsync(control, Control.roomWanted, 1, 50);
    const again = (): void => {
      this.watchingSpace = false;
      this.notifySpace();
      this.watchForSpace();
    };
    if (waiting.async) void waiting.value.then(again);
    else queueMicrotask(again);
  }

  private notifySpace(): void {
    if (this.spaceWaiters.length === 0 || this.queued >= this.options.maxQueue) return;
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
