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
 * Every access is an `Atomics` operation (sequentially consistent), except the task and
 * parent ids, written before the slot is queued and read after it is claimed.
 */
export class SlotTable {
  /** Slots in the table. */
  readonly count: number;
  private readonly words: Int32Array;
  /** Float64 pairs per slot: task id, parent id (or -1). */
  private readonly ids: Float64Array;

  constructor(meta: SharedArrayBuffer, ids: SharedArrayBuffer) {
    this.words = new Int32Array(meta);
    this.ids = new Float64Array(ids);
    this.count = this.words.length / WORDS;
  }

  /** Shared memory for a table of `slots` slots. */
  static allocate(slots: number): { readonly meta: SharedArrayBuffer; readonly ids: SharedArrayBuffer } {
    return { meta: new SharedArrayBuffer(slots * WORDS * 4), ids: new SharedArrayBuffer(slots * 2 * 8) };
  }

  /** Fills in a free slot for a new task of `owner`; its payload goes in next, then {@link SlotTable.queue}. */
  prepare(slot: number, owner: number, taskId: number, parentId: number): void {
    const at = slot * WORDS;
    const words = this.words;
    Atomics.store(words, at + Word.owner, owner);
    Atomics.store(words, at + Word.cancel, 0);
    Atomics.store(words, at + Word.runner, -1);
    this.ids[slot * 2] = taskId;
    this.ids[slot * 2 + 1] = parentId;
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
    return this.ids[slot * 2] ?? -1;
  }

  /** The id of the task that spawned it, or -1 for a task of the main thread. */
  parentId(slot: number): number {
    return this.ids[slot * 2 + 1] ?? -1;
  }
}
