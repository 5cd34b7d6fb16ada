import { epochNow } from './clock.js';

/** The state word of a task slot: who may do what with it next. */
export const SlotState = {
  Free: 0,
  /** In a queue, or posted to a worker, and not yet claimed: a runner may claim it, its owner may cancel it. */
  Queued: 1,
  /** Claimed by a runner, which alone may finish it. */
  Running: 2,
  /** Its outcome is there (or on its way by message, see {@link Status.Relayed}) for its owner, which frees it. */
  Done: 3,
  /** Cancelled while queued: whoever takes the slot from a queue frees it without running it. */
  Cancelled: 4,
} as const;
/** One of the {@link SlotState} values. */
export type SlotStateValue = (typeof SlotState)[keyof typeof SlotState];

/** How a task ended, as its runner reports it to its owner. */
export const Status = {
  Fulfilled: 0,
  Rejected: 1,
  Cancelled: 2,
  /** The worker running it died. */
  Crashed: 3,
  /** The result did not fit the slot; it travels by message through the main thread. */
  Relayed: 4,
} as const;

/** Owner of tasks the main thread spawned (workers are owners by their index). */
export const mainOwner = -1;

/** The words of one slot. */
const Word = {
  state: 0,
  /** Worker running the task (stored before it claims the slot). */
  runner: 1,
  /** Worker whose task spawned it, or {@link mainOwner}. */
  owner: 2,
  /** 1 once its owner (or crash recovery) asked for cancellation. */
  cancel: 3,
  status: 4,
  /** 1 when the payload travels by message to one worker (pinned), not in the slot's bytes. */
  pinned: 5,
} as const;
const WORDS = 6;

/** The numbers of one slot (float64), written before it is queued and read after a claim. */
const Value = {
  taskId: 0,
  /** The id of the task that spawned it, or -1. */
  parentId: 1,
  priority: 2,
  /** The main thread's spawn time (epoch ms) when timed, else 0; the runner makes it the wait in ms. */
  waited: 3,
  /** The runner's start time (epoch ms), then the run time in ms. */
  ran: 4,
} as const;
const VALUES = 5;

/**
 * The metadata of the pool's task slots, in shared memory: the one place that reads and
 * writes it. A slot's life, and who moves it on:
 *
 * 1. a producer (the main thread, or a worker sharing a child) {@link SlotTable.prepare}s a
 *    free slot, writes the payload into the slot's bytes, then {@link SlotTable.queue}s it;
 * 2. a runner that took the slot from a queue {@link SlotTable.claim}s it (`Queued` to
 *    `Running`, by CAS) before it runs anything;
 * 3. the owner may {@link SlotTable.cancel} it at any time: the CAS from `Queued` to
 *    `Cancelled` races the runner's claim, so exactly one of them wins and a task cancelled
 *    in a queue never runs; a task already claimed has to be told (its runner reads
 *    {@link SlotTable.cancelRequested});
 * 4. the runner writes the outcome into the slot's bytes and {@link SlotTable.finish}es it;
 * 5. whoever consumed the outcome, or took a cancelled slot from a queue, frees it.
 *
 * Every access is an `Atomics` operation (sequentially consistent), except the slot's
 * numbers (ids, priority, times): written before the slot is queued (or finished) and read
 * after it is claimed (or seen finished), so those operations order them.
 */
export class SlotTable {
  /** Slots in the table. */
  readonly count: number;
  private readonly words: Int32Array;
  /** {@link VALUES} float64s per slot (see {@link Value}). */
  private readonly values: Float64Array;

  constructor(meta: SharedArrayBuffer, values: SharedArrayBuffer) {
    this.words = new Int32Array(meta);
    this.values = new Float64Array(values);
    this.count = this.words.length / WORDS;
  }

  /** Shared memory for a table of `slots` slots. */
  static allocate(slots: number): { readonly meta: SharedArrayBuffer; readonly values: SharedArrayBuffer } {
    return { meta: new SharedArrayBuffer(slots * WORDS * 4), values: new SharedArrayBuffer(slots * VALUES * 8) };
  }

  /**
   * Fills in a free slot for a new task of `owner`; its payload goes in next, then
   * {@link SlotTable.queue}. `spawnedAt` (epoch ms) asks the runner to time the task; 0 does not.
   */
  prepare(slot: number, owner: number, taskId: number, parentId: number, priority: number, spawnedAt: number): void {
    const at = slot * WORDS;
    const words = this.words;
    Atomics.store(words, at + Word.owner, owner);
    Atomics.store(words, at + Word.cancel, 0);
    Atomics.store(words, at + Word.runner, -1);
    const values = this.values;
    const base = slot * VALUES;
    values[base + Value.taskId] = taskId;
    values[base + Value.parentId] = parentId;
    values[base + Value.priority] = priority;
    values[base + Value.waited] = spawnedAt;
    values[base + Value.ran] = 0;
  }

  /** Makes a prepared slot claimable (and cancellable): call before it enters a queue or a message. */
  queue(slot: number, pinned: boolean): void {
    const at = slot * WORDS;
    Atomics.store(this.words, at + Word.pinned, pinned ? 1 : 0);
    Atomics.store(this.words, at + Word.state, SlotState.Queued);
  }

  /** `runner` takes a slot it found in a queue; false if it was cancelled there (the caller frees it). */
  claim(slot: number, runner: number): boolean {
    const at = slot * WORDS;
    // Stored first: whoever sees the slot Running finds its runner.
    Atomics.store(this.words, at + Word.runner, runner);
    return Atomics.compareExchange(this.words, at + Word.state, SlotState.Queued, SlotState.Running) === SlotState.Queued;
  }

  /**
   * Asks for the task in `slot` to stop. Returns the state it was in: `Queued` means it is
   * now `Cancelled` and will never run (settle it as cancelled); `Running` means its runner
   * must be told (see {@link SlotTable.runner}); `Done` means its outcome is on its way.
   */
  cancel(slot: number): SlotStateValue {
    const at = slot * WORDS;
    Atomics.store(this.words, at + Word.cancel, 1);
    return Atomics.compareExchange(this.words, at + Word.state, SlotState.Queued, SlotState.Cancelled) as SlotStateValue;
  }

  /** Whether cancellation of the task in `slot` was asked for. */
  cancelRequested(slot: number): boolean {
    return Atomics.load(this.words, slot * WORDS + Word.cancel) === 1;
  }

  /** The runner has written the outcome (or sent it, for `Relayed`): the owner may read it. */
  finish(slot: number, status: number): void {
    const at = slot * WORDS;
    Atomics.store(this.words, at + Word.status, status);
    Atomics.store(this.words, at + Word.state, SlotState.Done);
  }

  /** Marks a slot free; the caller gives it back to its allocator. */
  free(slot: number): void {
    Atomics.store(this.words, slot * WORDS + Word.state, SlotState.Free);
  }

  state(slot: number): SlotStateValue {
    return Atomics.load(this.words, slot * WORDS + Word.state) as SlotStateValue;
  }

  /** The worker that claimed the slot (-1 before a claim). */
  runner(slot: number): number {
    return Atomics.load(this.words, slot * WORDS + Word.runner);
  }

  /** The worker holding the task's handle, or {@link mainOwner}. */
  owner(slot: number): number {
    return Atomics.load(this.words, slot * WORDS + Word.owner);
  }

  /** How the task ended ({@link Status}); meaningful once the slot is `Done`. */
  status(slot: number): number {
    return Atomics.load(this.words, slot * WORDS + Word.status);
  }

  /** True when the payload went by message to one worker rather than into the slot's bytes. */
  pinned(slot: number): boolean {
    return Atomics.load(this.words, slot * WORDS + Word.pinned) === 1;
  }

  taskId(slot: number): number {
    return this.values[slot * VALUES + Value.taskId] ?? -1;
  }

  /** The id of the task that spawned it, or -1 for a task of the main thread. */
  parentId(slot: number): number {
    return this.values[slot * VALUES + Value.parentId] ?? -1;
  }

  /** The task's priority (`SpawnOptions.priority`, inherited or given). */
  priority(slot: number): number {
    return this.values[slot * VALUES + Value.priority] ?? 0;
  }

  /**
   * Runner, as it starts the task: if the task is timed (it has a spawn time), turns its
   * spawn time into the wait and notes the start. The clock is read only then.
   */
  started(slot: number): void {
    const base = slot * VALUES;
    const spawnedAt = this.values[base + Value.waited] ?? 0;
    if (spawnedAt === 0) return;
    const now = epochNow();
    // Threads read the clock a few µs apart: a wait never comes out below 0.
    this.values[base + Value.waited] = Math.max(0, now - spawnedAt);
    this.values[base + Value.ran] = now;
  }

  /** Runner, as the task settles (before {@link SlotTable.finish}): turns a timed task's start into its run time. */
  ended(slot: number): void {
    const base = slot * VALUES;
    const startedAt = this.values[base + Value.ran] ?? 0;
    if (startedAt !== 0) this.values[base + Value.ran] = Math.max(0, epochNow() - startedAt);
  }

  /** A timed task's wait from spawn to start, in ms. */
  waitMs(slot: number): number {
    return this.values[slot * VALUES + Value.waited] ?? 0;
  }

  /** A timed task's run from start to settlement, in ms. */
  runMs(slot: number): number {
    return this.values[slot * VALUES + Value.ran] ?? 0;
  }
}
