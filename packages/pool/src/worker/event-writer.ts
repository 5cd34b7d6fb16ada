import { eventTime } from '@spindle/core/events';
import type { SettledState } from '@spindle/core';
import { CHUNK_HEADER, SPAN, Wire, chunkHeader, settleStates } from '../shared/event-wire.js';
import type { WorkerReport } from '../shared/event-wire.js';
import { Control } from '../shared/shared-state.js';

/** Most numbers one call writes: a chunk header, a time, a record and its operands. */
const MOST_PER_CALL = CHUNK_HEADER + 1 + 5;

/** Whether a chunk is open, and which kind. */
const Chunk = {
  None: 0,
  Unsequenced: 1,
  Sequenced: 2,
} as const;

/**
 * A worker's side of event forwarding: packs its lifecycle events and its reports to the
 * main thread into one {@link WorkerReport} per flush (see event-wire.ts for the layout
 * and for why chunks keep cross-thread order).
 */
export class EventWriter {
  private records = new Float64Array(1024);
  private length = 0;
  private extras: unknown[] = [];
  /** Buffers that move with the next message (results given with `moved()`). */
  private transfers: ArrayBuffer[] = [];
  /** Strings already in `extras` in this report, so that a repeated body description travels once. */
  private readonly texts = new Map<string, number>();
  private chunk: number = Chunk.None;
  /** Where the open chunk's header is. */
  private chunkAt = -1;
  /** The time the open chunk's records are at (NaN: none written yet). */
  private time = Number.NaN;
  /** Whether an outcome for the main thread was written since the last take. */
  private outcomes = false;

  /** @param control the pool's control words (for the sequence counter) */
  constructor(private readonly control: Int32Array) {}

  /** True when there is nothing to send. */
  get empty(): boolean {
    return this.length === 0;
  }

  /** Numbers written since the last {@link EventWriter.take}. */
  get size(): number {
    return this.length;
  }

  /** True when what was written holds the outcome of a main-thread task, which the main thread waits for. */
  get owed(): boolean {
    return this.outcomes;
  }

  /**
   * Something reached this thread from another (work taken from a shared queue, mail, a
   * message): whatever is recorded next goes into a chunk numbered after this point.
   */
  boundary(): void {
    this.close();
  }

  /** `start`, `resume`, `suspend` with reason `yield`, or `wake` of `taskId`, now. */
  event(code: typeof Wire.Start | typeof Wire.Resume | typeof Wire.SuspendYield | typeof Wire.Wake, taskId: number): void {
    const n = this.stamp();
    this.records[n] = taskId * SPAN + code;
    this.length = n + 1;
  }

  /** `suspend` with reason `wait` of `taskId`, now; `waitingOn` is the task it waits on, or -1. */
  suspendWait(taskId: number, waitingOn: number): void {
    let n = this.stamp();
    this.records[n++] = taskId * SPAN + Wire.SuspendWait;
    if (waitingOn >= 0) this.records[n++] = waitingOn * SPAN + Wire.WaitingOn;
    this.length = n;
  }

  /** `spawn` of `taskId`, a child of `parentId`, now. */
  spawn(taskId: number, parentId: number, name: string | undefined, body: string): void {
    let n = this.stamp();
    const records = this.records;
    records[n++] = taskId * SPAN + Wire.Spawn;
    records[n++] = parentId;
    records[n++] = name === undefined ? -1 : this.text(name);
    records[n++] = this.text(body);
    this.length = n;
  }

  /** `steal` of `taskId` from worker `from` to worker `to`, now. */
  steal(taskId: number, from: number, to: number): void {
    let n = this.stamp();
    const records = this.records;
    records[n++] = taskId * SPAN + Wire.Steal;
    records[n++] = from;
    records[n++] = to;
    this.length = n;
  }

  /** `settle` of `taskId` at `time` (the time its event object carries). */
  settle(taskId: number, state: SettledState, error: string | undefined, time: number): void {
    let n = this.stampAt(time);
    const records = this.records;
    records[n++] = taskId * SPAN + Wire.Settle;
    records[n++] = settleStates.indexOf(state);
    records[n++] = error === undefined ? -1 : this.text(error);
    this.length = n;
  }

  /**
   * A main-thread task in `slot` finished, its outcome written there. Sequenced when events
   * are forwarded (`sequenced`), or when a chunk of events is open anyway, so that the
   * task's settlement on the main thread follows the events before it.
   */
  done(slot: number, taskId: number, sequenced: boolean): void {
    let n = this.open(sequenced);
    this.outcomes = true;
    this.records[n++] = slot * SPAN + Wire.Done;
    this.records[n++] = taskId;
    this.length = n;
  }

  /**
   * {@link EventWriter.done} for an outcome that travels in the message: too large for its
   * slot, or a result whose buffers move (`transfer`).
   */
  doneWithValue(slot: number, status: number, value: unknown, sequenced: boolean, transfer?: readonly ArrayBuffer[]): void {
    let n = this.open(sequenced);
    this.outcomes = true;
    const records = this.records;
    records[n++] = slot * SPAN + Wire.DoneWithValue;
    records[n++] = status;
    records[n++] = this.extra(value);
    this.length = n;
    if (transfer !== undefined) this.transfers.push(...transfer);
  }

  /**
   * The outcome of another worker's task, too large for its slot or moving buffers
   * (`transfer`, which the main thread moves on), for the main thread to pass on.
   * Unsequenced, in a chunk of its own: it is handed on as soon as it arrives, and the
   * owner's next events are numbered after that.
   */
  relay(owner: number, slot: number, status: number, value: unknown, transfer?: readonly ArrayBuffer[]): void {
    this.close();
    let n = this.open(false);
    const records = this.records;
    records[n++] = slot * SPAN + Wire.Relay;
    records[n++] = owner;
    records[n++] = status;
    records[n++] = this.extra(value);
    records[n++] = transfer === undefined ? -1 : this.extra(transfer);
    this.length = n;
    this.close();
    if (transfer !== undefined) this.transfers.push(...transfer);
  }

  /** Everything written since the last call, as one message and what moves with it (undefined when there is nothing). */
  take(): { readonly report: WorkerReport; readonly transfer: ArrayBuffer[] } | undefined {
    this.close();
    if (this.length === 0) return undefined;
    const records = this.records.slice(0, this.length);
    const report: WorkerReport = [records, this.extras];
    const transfer = this.transfers;
    transfer.push(records.buffer);
    this.length = 0;
    this.outcomes = false;
    this.extras = [];
    this.transfers = [];
    this.texts.clear();
    return { report, transfer };
  }

  /** Opens a chunk for an event (sequenced) and writes the time now if it changed; returns where the record goes. */
  private stamp(): number {
    return this.stampAt(eventTime());
  }

  private stampAt(time: number): number {
    let n = this.open(true);
    if (time !== this.time) {
      this.records[n++] = -time;
      this.time = time;
    }
    return n;
  }

  /**
   * Makes room for one call and makes sure a chunk is open that may hold a sequenced item
   * (`sequenced`) or an unsequenced one (a sequenced chunk may hold both). Returns where
   * the next number goes.
   */
  private open(sequenced: boolean): number {
    if (this.length + MOST_PER_CALL > this.records.length) this.grow();
    if (this.chunk === Chunk.Sequenced || (this.chunk === Chunk.Unsequenced && !sequenced)) return this.length;
    this.close();
    const n = this.length;
    // The counter wraps at 32 bits: its numbers go out unsigned (see `ChunkOrder`).
    this.records[n] = chunkHeader(sequenced ? Atomics.add(this.control, Control.sequence, 1) >>> 0 : -1);
    this.records[n + 1] = 0;
    this.chunkAt = n;
    this.chunk = sequenced ? Chunk.Sequenced : Chunk.Unsequenced;
    this.time = Number.NaN;
    this.length = n + CHUNK_HEADER;
    return this.length;
  }

  /** Ends the open chunk: its header gets its length. */
  private close(): void {
    if (this.chunk === Chunk.None) return;
    this.records[this.chunkAt + 1] = this.length - this.chunkAt - CHUNK_HEADER;
    this.chunk = Chunk.None;
    this.chunkAt = -1;
  }

  private grow(): void {
    const records = new Float64Array(this.records.length * 2);
    records.set(this.records.subarray(0, this.length));
    this.records = records;
  }

  private text(value: string): number {
    let index = this.texts.get(value);
    if (index === undefined) {
      index = this.extra(value);
      this.texts.set(value, index);
    }
    return index;
  }

  private extra(value: unknown): number {
    this.extras.push(value);
    return this.extras.length - 1;
  }
}
