import { WorkStealingDeque } from './deque.js';
import { InjectQueue } from './inject-queue.js';
import { Mailbox } from './mailbox.js';
import { slotBytes } from './slot-codec.js';
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

/** The state word of a task slot. */
export const SlotState = {
  Free: 0,
  Queued: 1,
  Running: 2,
  Done: 3,
  /** Cancelled while queued: whoever takes the slot frees it without running it. */
  Cancelled: 4,
} as const;

/** Words of each slot's metadata. */
export const Meta = {
  state: 0,
  /** Worker running the task (set before it claims the slot). */
  runner: 1,
  /** Worker whose task spawned it (-1: the main thread). */
  owner: 2,
  /** 1 once the owner asked for cancellation. */
  cancel: 3,
  payloadLength: 4,
  status: 5,
  resultLength: 6,
  /** 1 when the payload travels by message (pinned), not in the slot's bytes. */
  pinned: 7,
} as const;
export const metaWords = 8;
/** Owner value for tasks the main thread spawned. */
export const mainOwner = -1;

/** How a task ended, as a runner reports it to the owner. */
export const Status = {
  Fulfilled: 0,
  Rejected: 1,
  Cancelled: 2,
  /** The worker running it died. */
  Crashed: 3,
  /** The result did not fit the slot; it travels by message through the main thread. */
  Relayed: 4,
} as const;

/** The shared memory of one pool, as handed to every worker. */
export interface SharedBuffers {
  readonly control: SharedArrayBuffer;
  readonly meta: SharedArrayBuffer;
  /** Float64 pairs per slot: task id, parent id (or -1). */
  readonly ids: SharedArrayBuffer;
  readonly bytes: SharedArrayBuffer;
  readonly slotBytes: number;
  readonly freeSlots: SharedArrayBuffer;
  readonly inject: SharedArrayBuffer;
  readonly deques: readonly SharedArrayBuffer[];
  readonly mailboxes: readonly SharedArrayBuffer[];
}

/** Typed views over {@link SharedBuffers}, made once per thread. */
export class SharedState {
  readonly buffers: SharedBuffers;
  readonly control: Int32Array;
  readonly meta: Int32Array;
  readonly ids: Float64Array;
  readonly bytes: Uint8Array;
  /** The same bytes as the slot codec reads and writes them. */
  readonly slots: SlotBytes;
  readonly slotBytes: number;
  readonly freeSlots: Int32Array;
  readonly inject: InjectQueue;
  readonly deques: readonly WorkStealingDeque[];
  readonly mailboxes: readonly Mailbox[];

  constructor(buffers: SharedBuffers) {
    this.buffers = buffers;
    this.control = new Int32Array(buffers.control);
    this.meta = new Int32Array(buffers.meta);
    this.ids = new Float64Array(buffers.ids);
    this.bytes = new Uint8Array(buffers.bytes);
    this.slots = slotBytes(buffers.bytes);
    this.slotBytes = buffers.slotBytes;
    this.freeSlots = new Int32Array(buffers.freeSlots);
    this.inject = InjectQueue.attach(buffers.inject);
    this.deques = buffers.deques.map((buffer) => WorkStealingDeque.attach(buffer));
    this.mailboxes = buffers.mailboxes.map((buffer) => Mailbox.attach(buffer));
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
      meta: new SharedArrayBuffer(slots * metaWords * 4),
      ids: new SharedArrayBuffer(slots * 2 * 8),
      bytes: new SharedArrayBuffer(slots * slotBytes),
      slotBytes,
      freeSlots: freeSlots.buffer,
      inject: InjectQueue.create(injectCapacity).buffer,
      deques: Array.from({ length: workers }, () => WorkStealingDeque.create(dequeCapacity).buffer),
      // A slot posts at most a completion and a cancellation request before it is reused.
      mailboxes: Array.from({ length: workers }, () => Mailbox.create(injectCapacity * 2).buffer),
    });
  }

  /** Index of a worker's word in `control`. */
  word(worker: number, which: number): number {
    return Control.workers + worker * workerStride + which;
  }

  /** Index of a slot's metadata word. */
  metaIndex(slot: number, which: number): number {
    return slot * metaWords + which;
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

  /** Wakes one particular worker if it sleeps; true if it did. */
  wakeWorker(worker: number): boolean {
    const park = this.word(worker, WorkerWord.park);
    if (Atomics.compareExchange(this.control, park, 1, 0) !== 1) return false;
    Atomics.notify(this.control, park);
    return true;
  }
}
