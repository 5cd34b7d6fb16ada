import { WorkStealingDeque } from './deque.js';
import { InjectQueue } from './inject-queue.js';
import { Mailbox } from './mailbox.js';
import { PriorityQueue } from './priority-queue.js';
import { slotBytes } from './slot-codec.js';
import { SlotState, SlotTable } from './slot-table.js';
import type { SlotStateValue } from './slot-table.js';
import type { SlotBytes } from './slot-codec.js';

/** Indices into the pool's control words. */
export const Control = {
  /** 1 once the pool shuts its workers down. */
  shutdown: 0,
  /** Workers that announced they are about to sleep or are sleeping. */
  sleepers: 1,
  /** Workers looking for work to steal right now. */
  searching: 2,
  /** 1 while the main thread has lifecycle-event subscribers: workers then forward events. */
  events: 3,
  /** Sequence numbers for chunks of forwarded events and completions (see event-wire.ts). */
  sequence: 4,
  /** Counter for ids of tasks spawned inside workers. */
  childIds: 5,
  /** 1 while the main thread waits for room in the inject queue or for free slots. */
  roomWanted: 6,
  /**
   * Workers running (started and not retired). The main thread adds one before it starts a
   * worker; a retiring worker takes one off by CAS only while it stays above `minThreads`,
   * so that two workers timing out together cannot both retire below the floor.
   */
  running: 7,
  /**
   * 1 once any task of a priority other than 0 has been spawned in the pool (it stays 1):
   * until then workers skip every priority check, and no task enters the priority queue.
   */
  priorities: 8,
  /**
   * 1 while the main thread waits (`Atomics.waitAsync`) for outcomes in its results mailbox;
   * the worker that posts one there CASes it to 0 and notifies (see {@link SharedState.tellMain}).
   */
  resultsWanted: 9,
  /** Base of the per-worker words; each worker has {@link workerStride} of them. */
  workers: 16,
} as const;

/** Words per worker in the control block: one cache line, so parking words do not share lines. */
export const workerStride = 16;
/** Per-worker word offsets. */
export const WorkerWord = {
  /** 1 while the worker sleeps (or is about to); a waker CASes it to 0 and notifies. */
  park: 0,
  /**
   * Messages posted to the worker and not yet received: it must not block its event loop.
   * -1 once the worker retired: the main thread CASes it up from a non-negative value before
   * posting, so nothing is ever posted to a worker that is leaving.
   */
  inbound: 1,
  /** Tasks started by the worker (its utilisation figure). */
  executed: 2,
  /** Successful steals by the worker. */
  steals: 3,
  /**
   * The slot (plus one) of the task whose step the worker is running, 0 between steps or for
   * a task without a slot. With {@link WorkerWord.steps} it tells the main thread that a
   * cancelled task is stuck in one step (see the `cancelTimeout` option).
   */
  stepping: 4,
  /** Times the worker parked (went to sleep on its park word). */
  parks: 5,
  /** Batches the worker took from the inject queue. */
  injectTakes: 6,
  /** Microseconds spent parked (wraps; read differences). */
  parkedMicros: 7,
  /** Steps the worker has begun (wraps). */
  steps: 8,
} as const;

/** What a mailbox item says about its slot: `slot * 2 + kind`. */
export const Mail = {
  /** A child's outcome is in its slot. */
  Done: 0,
  /** The task run from the slot was asked to stop. */
  Cancel: 1,
} as const;
export type MailKind = (typeof Mail)[keyof typeof Mail];

/** The slot a mailbox item is about. */
export function mailSlot(item: number): number {
  return item >> 1;
}

/** What a mailbox item says ({@link Mail}). */
export function mailKind(item: number): MailKind {
  return (item & 1) as MailKind;
}

/** The shared memory of one pool, as handed to every worker. */
export interface SharedBuffers {
  readonly control: SharedArrayBuffer;
  /** The slot table's words and numbers (see {@link SlotTable}). */
  readonly meta: SharedArrayBuffer;
  readonly values: SharedArrayBuffer;
  /** The slots' bytes: a payload, then the result, of each slot. */
  readonly bytes: SharedArrayBuffer;
  readonly slotBytes: number;
  readonly freeSlots: SharedArrayBuffer;
  readonly inject: SharedArrayBuffer;
  /** Tasks of a priority other than 0 waiting outside a deque. */
  readonly priority: SharedArrayBuffer;
  readonly deques: readonly SharedArrayBuffer[];
  readonly mailboxes: readonly SharedArrayBuffer[];
  /** The main thread's mailbox: slots of its tasks whose outcomes are written there. */
  readonly results: SharedArrayBuffer;
}

/** Typed views over {@link SharedBuffers}, made once per thread. */
export class SharedState {
  readonly buffers: SharedBuffers;
  readonly control: Int32Array;
  readonly slots: SlotTable;
  /** The slots' bytes, as the slot codec reads and writes them. */
  readonly arena: SlotBytes;
  readonly slotBytes: number;
  readonly freeSlots: Int32Array;
  readonly inject: InjectQueue;
  readonly priority: PriorityQueue;
  readonly deques: readonly WorkStealingDeque[];
  readonly mailboxes: readonly Mailbox[];
  readonly results: Mailbox;

  constructor(buffers: SharedBuffers) {
    this.buffers = buffers;
    this.control = new Int32Array(buffers.control);
    this.slots = new SlotTable(buffers.meta, buffers.values);
    this.arena = slotBytes(buffers.bytes);
    this.slotBytes = buffers.slotBytes;
    this.freeSlots = new Int32Array(buffers.freeSlots);
    this.inject = InjectQueue.attach(buffers.inject);
    this.priority = PriorityQueue.attach(buffers.priority);
    this.deques = buffers.deques.map((buffer) => WorkStealingDeque.attach(buffer));
    this.mailboxes = buffers.mailboxes.map((buffer) => Mailbox.attach(buffer));
    this.results = Mailbox.attach(buffers.results);
  }

  /** Fresh shared memory for a pool of up to `workers` workers and `slots` task slots. */
  static create(workers: number, slots: number, slotBytes: number, dequeCapacity: number): SharedState {
    const freeSlots = new Int32Array(new SharedArrayBuffer((2 + slots) * 4));
    // A free stack: [lock, count, ...slots].
    for (let i = 0; i < slots; i++) freeSlots[2 + i] = slots - 1 - i;
    freeSlots[1] = slots;
    let injectCapacity = 1024;
    while (injectCapacity < slots) injectCapacity *= 2;
    return new SharedState({
      control: new SharedArrayBuffer((Control.workers + workers * workerStride) * 4),
      ...SlotTable.allocate(slots),
      bytes: new SharedArrayBuffer(slots * slotBytes),
      slotBytes,
      freeSlots: freeSlots.buffer,
      inject: InjectQueue.create(injectCapacity).buffer,
      priority: PriorityQueue.create(slots).buffer,
      deques: Array.from({ length: workers }, () => WorkStealingDeque.create(dequeCapacity).buffer),
      // A slot posts at most a completion and a cancellation request before it is reused.
      mailboxes: Array.from({ length: workers }, () => Mailbox.create(injectCapacity * 2).buffer),
      // A slot of the main thread posts one outcome before the main thread frees it.
      results: Mailbox.create(injectCapacity).buffer,
    });
  }

  /** Whether any task of a priority other than 0 was ever spawned in the pool (see `Control.priorities`). */
  get prioritized(): boolean {
    return Atomics.load(this.control, Control.priorities) !== 0;
  }

  /** Notes that a task of a priority other than 0 exists, before it is queued anywhere. */
  prioritize(): void {
    if (Atomics.load(this.control, Control.priorities) === 0) Atomics.store(this.control, Control.priorities, 1);
  }

  /**
   * Queues `items[from..from+count)`, slots that left a deque (a full one spilling, a dead
   * worker's): priority 0 to the inject queue, any other to the priority queue, so that the
   * inject queue holds tasks of priority 0 only. Both hold as many entries as there are
   * slots, so everything fits.
   */
  requeue(items: ArrayLike<number>, from: number, count: number): void {
    if (!this.prioritized) {
      this.inject.pushBatch(items, from, count);
      return;
    }
    const plain: number[] = [];
    const other: number[] = [];
    const priorities: number[] = [];
    for (let i = from; i < from + count; i++) {
      const slot = items[i] ?? 0;
      const priority = this.slots.priority(slot);
      if (priority === 0) {
        plain.push(slot);
      } else {
        other.push(slot);
        priorities.push(priority);
      }
    }
    this.priority.pushBatch(other, priorities, 0, other.length);
    this.inject.pushBatch(plain, 0, plain.length);
  }

  /** Index of a worker's word in `control`. */
  word(worker: number, which: number): number {
    return Control.workers + worker * workerStride + which;
  }

  /**
   * Wakes up to `count` sleeping workers (lowest index first after `from`). A worker
   * announces sleep by setting its park word to 1 before it re-checks every queue; a
   * producer publishes work before it looks here. With sequentially consistent atomics one
   * of the two must see the other, so a wake-up cannot be lost.
   */
  wake(count: number, from: number, workers: number): number {
    if (Atomics.load(this.control, Control.sleepers) === 0) return 0;
    let woken = 0;
    for (let i = 0; i < workers && woken < count; i++) {
      const worker = (from + i) % workers;
      if (this.wakeWorker(worker)) woken++;
    }
    return woken;
  }

  /**
   * Puts `mail` about `slot` in `worker`'s mailbox and wakes it: a child's outcome is in
   * its slot (`Mail.Done`), or the task it runs from that slot was asked to stop
   * (`Mail.Cancel`).
   */
  tell(worker: number, slot: number, mail: MailKind): void {
    this.mailboxes[worker]?.post(slot * 2 + mail);
    this.wakeWorker(worker);
  }

  /**
   * Asks the task in `slot` to stop: a queued one never runs (see `SlotTable.cancel`),
   * a running one's worker is told. Returns the state the slot was in.
   */
  cancel(slot: number): SlotStateValue {
    const previous = this.slots.cancel(slot);
    if (previous === SlotState.Running) this.tell(this.slots.runner(slot), slot, Mail.Cancel);
    return previous;
  }

  /**
   * A task of the main thread in `slot` finished, its outcome written there: posts the slot
   * to the main thread's mailbox and wakes the main thread if it waits for one. The post
   * comes before the look at `resultsWanted`, and the main thread sets that before it looks
   * at the mailbox: one of the two sees the other.
   */
  tellMain(slot: number): void {
    this.results.post(slot);
    const control = this.control;
    if (Atomics.load(control, Control.resultsWanted) === 1 && Atomics.compareExchange(control, Control.resultsWanted, 1, 0) === 1) {
      Atomics.notify(control, Control.resultsWanted);
    }
  }

  /** True while the main thread waits for room in the inject queue or for free slots. */
  get roomWanted(): boolean {
    return Atomics.load(this.control, Control.roomWanted) === 1;
  }

  /** Room was made in the inject queue or among the free slots: wakes the main thread if it waits for some. */
  madeRoom(): void {
    if (Atomics.load(this.control, Control.roomWanted) !== 1) return;
    Atomics.store(this.control, Control.roomWanted, 0);
    Atomics.notify(this.control, Control.roomWanted);
  }

  /** Wakes one particular worker if it sleeps; true if it did. */
  wakeWorker(worker: number): boolean {
    const park = this.word(worker, WorkerWord.park);
    if (Atomics.compareExchange(this.control, park, 1, 0) !== 1) return false;
    Atomics.notify(this.control, park);
    return true;
  }
}
