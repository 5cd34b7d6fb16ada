import { encodeError } from '@spindle/core/kit';
import type { TaskEventLog } from '@spindle/core/events';
import { CHUNK_HEADER, chunkSequence } from '../shared/event-wire.js';
import type { WorkerReport } from '../shared/event-wire.js';
import { finishFromStatus } from '../shared/outcome.js';
import { readResult } from '../shared/payload.js';
import { Control } from '../shared/shared-state.js';
import type { SharedState } from '../shared/shared-state.js';
import type { SlotAllocator } from '../shared/slot-allocator.js';
import { SlotState, Status } from '../shared/slot-table.js';
import { ChunkOrder, Turn } from './chunk-order.js';
import { EventRelay } from './event-relay.js';
import type { ReportHandler } from './event-relay.js';
import type { PoolTask } from './pool-task.js';
import type { PoolTimings } from './pool-timings.js';
import { ResultsWatch } from './results-watch.js';

/** A chunk of a worker's report that arrived before chunks numbered lower (see event-wire.ts). */
interface HeldChunk {
  readonly records: Float64Array;
  readonly from: number;
  readonly to: number;
  readonly extras: readonly unknown[];
  readonly thread: number;
}

/** Passes the outcome of a worker's child, too large for its slot or moving `transfer`, on to the worker holding its handle. */
export type RelayResult = (owner: number, slot: number, status: number, value: unknown, transfer: readonly ArrayBuffer[] | undefined) => void;

/**
 * The tasks of the main thread that left it (by their slots), and what the workers report
 * about them: the chunks of each report are handled in sequence order across workers, so
 * that events and settlements keep the order they happened in, and each outcome settles
 * its task's handle.
 */
export class Outcomes {
  private readonly bySlot = new Map<number, PoolTask>();
  private readonly order = new ChunkOrder<HeldChunk>();
  private readonly relay: EventRelay;
  private readonly handler: ReportHandler;
  private readonly watch: ResultsWatch;

  constructor(
    private readonly shared: SharedState,
    private readonly allocator: SlotAllocator,
    label: string,
    eventLog: TaskEventLog,
    relayResult: RelayResult,
    private readonly timings: PoolTimings,
    afterResults: () => void,
  ) {
    this.relay = new EventRelay(label, eventLog);
    this.handler = {
      done: (slot, taskId) => {
        this.completeFromSlot(slot, taskId);
      },
      doneWithValue: (slot, status, value) => {
        this.complete(slot, status, value);
      },
      relay: relayResult,
    };
    this.watch = new ResultsWatch(
      shared,
      (slot) => {
        this.completeFromMailbox(slot);
      },
      afterResults,
      () => this.bySlot.size > 0,
    );
  }

  /** `task` left the main thread in `slot`. */
  track(slot: number, task: PoolTask): void {
    task.slot = slot;
    this.bySlot.set(slot, task);
    this.watch.arm();
  }

  /**
   * Takes every outcome posted to the results mailbox so far. Crash recovery does first: an
   * outcome a dead worker posted is taken as posted, and recovery frees no slot whose number
   * still waits in the mailbox (the slot reused and posted again would put more entries in
   * the mailbox than it is sized for).
   */
  takePosted(): void {
    this.watch.take(false);
  }

  /** The pool stops: no more waits for outcomes (see `ResultsWatch.stop`). */
  stop(): void {
    this.watch.stop();
  }

  /** The task of the main thread in `slot`, if it is still waited for. */
  taskIn(slot: number): PoolTask | undefined {
    return this.bySlot.get(slot);
  }

  /** Stops a task that left the main thread: one still queued never runs and settles now; a running one's worker is told. */
  cancel(task: PoolTask): void {
    const slot = task.slot;
    if (this.shared.cancel(slot) !== SlotState.Queued) return;
    // Taken out of its queue: the worker that takes the slot frees it without running it.
    this.bySlot.delete(slot);
    task.slot = -1;
    task.finish(false, undefined);
  }

  /**
   * A worker's report: its chunks are handled strictly in sequence order across workers (so
   * that a child's events come before its parent's settlement whatever thread sent them);
   * unsequenced chunks, and late ones (numbers passed after a crash), at once.
   */
  receive(report: WorkerReport, thread: number): void {
    const [records, extras] = report;
    for (let at = 0; at < records.length; ) {
      const seq = chunkSequence(records[at] ?? 0);
      const from = at + CHUNK_HEADER;
      const to = from + (records[at + 1] ?? 0);
      at = to;
      const turn = seq < 0 ? Turn.Late : this.order.turn(seq);
      if (turn === Turn.Early) {
        this.order.hold(seq, { records, from, to, extras, thread });
        continue;
      }
      if (turn === Turn.Now) this.order.passed();
      this.relay.chunk(records, from, to, extras, thread, this.handler);
      if (turn === Turn.Now) this.handleHeld();
    }
  }

  /**
   * A dead worker's unsent chunks took sequence numbers that will never arrive. Hands over
   * what waits behind them, in order, and lets every number taken so far pass unordered.
   */
  skipLostSequence(): void {
    for (const chunk of this.order.skipTo(Atomics.load(this.shared.control, Control.sequence))) {
      this.relay.chunk(chunk.records, chunk.from, chunk.to, chunk.extras, chunk.thread, this.handler);
    }
  }

  /** A task whose outcome its worker wrote into its slot; `taskId` guards against a slot reused since. */
  completeFromSlot(slot: number, taskId: number): void {
    if (this.bySlot.get(slot)?.id !== taskId) return;
    const status = this.shared.slots.status(slot);
    let value: unknown;
    try {
      value = readResult(this.shared, slot);
    } catch (error) {
      this.complete(slot, Status.Rejected, encodeError(error));
      return;
    }
    this.complete(slot, status, value);
  }

  /**
   * A slot from the results mailbox. A worker that died after it posted may have had the
   * outcome taken from the slot by crash recovery, and the slot reused since: only a slot
   * that holds a finished task of this thread, its outcome in the slot, is taken.
   */
  private completeFromMailbox(slot: number): void {
    const slots = this.shared.slots;
    if (slots.state(slot) !== SlotState.Done || slots.status(slot) === Status.Relayed) return;
    this.completeFromSlot(slot, slots.taskId(slot));
  }

  /** The task in `slot` ended with `status` and `value`; `crashed` is its error if its worker died running it. */
  complete(slot: number, status: number, value: unknown, crashed?: Error): void {
    const task = this.bySlot.get(slot);
    this.bySlot.delete(slot);
    // Read before the slot is freed; a worker that died took the task's figures with it.
    if (task !== undefined && task.spawnedAt !== 0 && status !== Status.Crashed) this.timings.record(this.shared.slots, slot);
    this.release(slot);
    if (task === undefined) return;
    task.slot = -1;
    task.payload = undefined;
    finishFromStatus(task, status, value, () => crashed ?? new Error('its worker died'));
  }

  /** Frees a slot the main thread is done with. */
  release(slot: number): void {
    this.shared.slots.free(slot);
    this.allocator.free(slot);
  }

  /** Handles the chunks held back that are next in sequence. */
  private handleHeld(): void {
    for (let next = this.order.takeDue(); next !== undefined; next = this.order.takeDue()) {
      this.relay.chunk(next.records, next.from, next.to, next.extras, next.thread, this.handler);
    }
  }
}
