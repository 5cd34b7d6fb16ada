import { CODE_SPAN, TaskEventCode, batchChannel } from './event-batch.js';
import type { TaskEventBatch } from './event-batch.js';
import { closeEventClockWindow, eventTime, openEventClockWindow, readEventTime } from './event-clock.js';
import type { EventClockCells } from './event-clock.js';
import { currentThread } from './channels.js';
import type { TaskEvent } from '../contract/lifecycle-events.js';
import type { SettledState } from '../contract/task-state.js';
import { processState } from '../shared/process-state.js';

/** Numbers per batch; a full log publishes what it has and starts again. */
export const CAPACITY = 1024;
/** The largest a batch grows to during a step (then it is published, and the step's beginning comes after what it recorded). */
const MOST_GROWN = 64 * CAPACITY;
/** The most numbers one call writes (a time, the record, a `WaitingOn` record; a step's end may add its beginning). */
export const MOST_PER_CALL = 4;

/** The strings of a batch that has none. */
const noStrings: readonly (string | undefined)[] = Object.freeze([]);

/** What a log's tick count reads outside a coarse window: never a tick, so every step takes the general path. */
export const noTicks = Int32Array.of(-2);

/**
 * Where a deferred flush is queued: a reaction to a settled promise runs in the same
 * microtask checkpoint as `queueMicrotask`, without the `AsyncResource` and bound function
 * Node makes for every `queueMicrotask` callback (a flush is queued once per batch made
 * outside a window: once per drain for an executor whose tasks are woken between drains).
 */
const settled = Promise.resolve();

/**
 * Logs holding records not yet published, so that {@link flushTaskEvents} can reach them: a
 * log is added when its batch gets its first record and is not taken out when it publishes
 * (it is only marked), so a batch costs an array push rather than two operations on a set.
 * Entries of logs published since are dropped when the list grows long.
 */
const unpublished = processState.unpublished as BatchLog[];

/**
 * Publishes, now, every batch still being gathered on this thread. Batch subscribers call
 * it before they read what they have (a recorder's `stop()`), since an executor publishes
 * its batch at the end of its drain or in the next microtask.
 */
export function flushTaskEvents(): void {
  for (const log of [...unpublished]) log.flush();
}

/** The message object a log publishes: its array, its current length. */
interface MutableBatch extends TaskEventBatch {
  length: number;
  count: number;
  records: Float64Array;
  events: TaskEvent[];
  strings: readonly (string | undefined)[];
}

/**
 * The batch a {@link TaskEventLog} gathers and publishes: its records, objects and strings,
 * its windows, the records that wait for a time, and publishing. The step-recording fast
 * paths are in `TaskEventLog` (event-log.ts); what is here is shared by every record.
 */
export class BatchLog {
  /** Label of the executor whose events this log gathers. */
  readonly executor: string;
  /** The batch being gathered: `records` up to `length`, and `events`. */
  protected records = new Float64Array(CAPACITY);
  protected length = 0;
  protected events: TaskEvent[] = [];
  /**
   * The strings of packed spawns and settlements, in record order (see
   * {@link TaskEventBatch.strings}): the first `stringCount` entries. The array is reused
   * from batch to batch and cut to the batch's strings only as it is published: emptied
   * after each batch, it would give up its storage and grow again, copying, for every batch.
   */
  protected readonly strings: (string | undefined)[] = [];
  protected stringCount = 0;
  /**
   * Records of the batch that stand for one event each, and records that stand for none
   * (times, `WaitingOn`); the rest are whole steps, two events each. Counted where the
   * general paths write, so that the fast path counts nothing.
   */
  protected singles = 0;
  protected blanks = 0;
  /** Records of the batch that stand for three events each (woken whole steps). */
  protected triples = 0;
  /** The message object published (one per log, reused). */
  protected readonly batch: MutableBatch;
  /** `[0]`: the time in effect for the next record (NaN: none yet in this batch). */
  protected readonly clock = new Float64Array(1).fill(Number.NaN);
  /** `[0]`: the clock just read (see `readEventTime`). */
  protected readonly now = new Float64Array(1);
  /** `[0]`: the time the current window started at (see `openEventClockWindow`). */
  protected readonly floor = new Float64Array(1);
  /** While a window is open with the coarse clock: the clock thread's shared memory. */
  protected cells: EventClockCells | undefined = undefined;
  /** The clock thread's tick count while a coarse window is open, else {@link noTicks}. */
  protected ticks: Int32Array = noTicks;
  /** The tick whose time the batch's latest time record holds (-1: none, or not known). */
  protected mark = -1;
  /**
   * In a coarse window: where the beginning of the step now running goes, the end of what
   * was recorded before it began (-1: not known, outside a window, or with the precise clock).
   */
  protected quiet = -1;
  /** Where the batch stood before {@link TaskEventLog.enterSteps} stamped its time, so that a window that recorded nothing publishes nothing. */
  protected enteredFrom = -1;
  /** Where the batch stood after {@link TaskEventLog.enterSteps} stamped its time (-1: not since). */
  protected enteredAt = -1;
  /** Index of a time still to be read (records after it wait for it), or -1. */
  protected pendingTime = -1;
  /** Index of the last step record, while it may still become a whole step, or -1. */
  protected stepAt = -1;
  protected windows = 0;
  /** The executor has scheduled a drain: its window will publish what is gathered until then. */
  protected expecting = false;
  protected flushQueued = false;
  /** In {@link unpublished}: holds records not yet published. */
  protected listed = false;
  /** A batch is being published: a subscriber's own events wait for the next one. */
  protected publishing = false;
  protected readonly flushQueuedBound = (): void => {
    this.flushQueued = false;
    if (this.windows > 0) return;
    if (!this.expecting) {
      this.flush();
      return;
    }
    // The batch waits for the drain, but the records waiting for a time (wakes) happened
    // before now: a drain delayed (a spent time slice) must not make them look later.
    if (this.pendingTime >= 0) this.resolvePending(eventTime());
  };

  /** @param executor the executor's label, stamped on every batch */
  constructor(executor: string) {
    this.executor = executor;
    this.batch = { executor, thread: currentThread, length: 0, count: 0, records: this.records, events: this.events, strings: this.strings };
  }

  /**
   * With the coarse clock: makes the batch's latest time that of the clock thread's current
   * tick (never below the window's start), writing a time record at `n` if it changed.
   * Returns where the next record goes.
   */
  protected stampTick(n: number): number {
    return this.cells === undefined ? n : this.stampTime(n);
  }

  /**
   * Reads the clock (the coarse one's tick inside a window) and makes it the time of the
   * records waiting for one and of the next record: fills the pending time, or writes a
   * time record at `n` if the time changed. Returns where the next record goes.
   */
  protected stampTime(n: number): number {
    // The tick before the time: if the clock ticks in between, the mark is already behind
    // and the next record reads the clock again, rather than take an old time as current.
    const cells = this.cells;
    const tick = cells === undefined ? -1 : (cells.ticks[0] ?? -1);
    readEventTime(this.now);
    const time = this.now[0] ?? Number.NaN;
    // In a coarse window, the time of that tick (or the system clock's, if the clock thread
    // had to be woken); outside one, no tick.
    this.mark = tick;
    if (this.pendingTime >= 0) {
      // The records since the pending time happened before now: they take this time.
      this.records[this.pendingTime] = -time;
      this.pendingTime = -1;
      this.clock[0] = time;
    } else if (time !== this.clock[0]) {
      this.records[n++] = -time;
      this.blanks++;
      this.clock[0] = time;
    }
    return n;
  }

  /**
   * `taskId` was spawned: a packed record at the time now (no event object).
   * @param parentId the parent's id; -1 for a task spawned from outside any task
   */
  spawned(taskId: number, parentId: number, name: string | undefined, body: string): void {
    let n = this.length;
    if (n === 0 || n + MOST_PER_CALL > this.records.length) n = this.room();
    // In a coarse window within the tick of the batch's latest time, reading the clock
    // would give that time again (as for `wake`).
    if (this.pendingTime >= 0 || this.ticks[0] !== this.mark) n = this.stampTime(n);
    this.records[n++] = taskId * CODE_SPAN + TaskEventCode.Spawn;
    this.singles++;
    if (parentId >= 0) {
      this.records[n++] = parentId * CODE_SPAN + TaskEventCode.ParentIs;
      this.blanks++;
    }
    this.length = n;
    this.stepAt = -1;
    const s = this.stringCount;
    this.strings[s] = name;
    this.strings[s + 1] = body;
    this.stringCount = s + 2;
  }

  /**
   * `taskId` settled: a packed record at the time now (no event object).
   * @param error the error's name, for a task that was rejected or cancelled
   */
  settled(taskId: number, state: SettledState, error: string | undefined): void {
    let n = this.length;
    if (n === 0 || n + MOST_PER_CALL > this.records.length) n = this.room();
    if (this.pendingTime >= 0 || this.ticks[0] !== this.mark) n = this.stampTime(n);
    const code = state === 'fulfilled' ? TaskEventCode.Fulfilled : state === 'rejected' ? TaskEventCode.Rejected : TaskEventCode.Cancelled;
    this.records[n++] = taskId * CODE_SPAN + code;
    this.singles++;
    this.length = n;
    this.stepAt = -1;
    if (code !== TaskEventCode.Fulfilled) this.strings[this.stringCount++] = error;
  }

  /** An event that travels as its object (spawn, settle, steal); its time is that of records waiting for one. */
  event(event: TaskEvent): void {
    // Before any publishing below: records waiting for a time take the event's, not a later one.
    if (this.pendingTime >= 0) this.resolvePending(event.time);
    let n = this.length === 0 || this.length + MOST_PER_CALL > this.records.length ? this.room() : this.length;
    // The event's time becomes the time in effect (never going back): a batch begins with a
    // time, and a step's beginning placed after this event must not look earlier than it.
    const time = event.time;
    if (!(time <= (this.clock[0] ?? Number.NaN))) {
      this.records[n++] = -time;
      this.blanks++;
      this.clock[0] = time;
      this.mark = -1;
    }
    this.stepAt = -1;
    this.records[n] = event.taskId * CODE_SPAN + TaskEventCode.Event;
    this.length = n + 1;
    this.singles++;
    this.events.push(event);
  }

  /**
   * A step that ran outside a window has ended: the records still waiting for a time get
   * the clock's time now, rather than that of whatever this log records next (which could
   * be after unrelated work, and would make the step look longer than it was).
   */
  stampNow(): void {
    if (this.pendingTime >= 0) this.resolvePending(eventTime());
  }

  /**
   * Says that a window will open soon (the executor has scheduled a drain), so that what is
   * recorded until then goes out with the drain's batch rather than in a batch of its own
   * in the next microtask. Call it only when the drain is sure to run.
   */
  expectWindow(): void {
    this.expecting = true;
  }

  /** Begins a window: records gather until the matching {@link BatchLog.close}. */
  open(): void {
    this.windows++;
    this.expecting = false;
    const cells = openEventClockWindow(this.floor);
    this.cells = cells;
    this.ticks = cells === undefined ? noTicks : cells.ticks;
    // The batch's latest time may be from before the window (a wake): the first step stamps its own.
    this.mark = -1;
    // Steps in the window begin after what was recorded before it.
    this.quiet = cells === undefined ? -1 : this.length;
    this.enteredAt = -1;
  }

  /**
   * Ends a window; the outermost one publishes what was gathered, now or (`deferred`) in
   * the next microtask, with whatever else is recorded until then: for a window around
   * one step, where a batch each would cost more than the step.
   */
  close(deferred = false): void {
    closeEventClockWindow();
    if (--this.windows > 0) return;
    this.cells = undefined;
    this.ticks = noTicks;
    this.mark = -1;
    this.quiet = -1;
    // A window readied for steps that recorded none publishes nothing (not even its time).
    if (this.enteredFrom === 0 && this.length === this.enteredAt) {
      this.length = 0;
      this.blanks = 0;
      this.clock[0] = Number.NaN;
    }
    this.enteredAt = -1;
    if (this.length === 0) return;
    if (deferred) this.queueFlush();
    else this.flush();
  }

  /** Publishes the records gathered so far as one batch, giving records that wait for a time the clock's time now. */
  flush(): void {
    if (this.publishing) return;
    this.listed = false;
    if (this.length === 0) return;
    if (this.pendingTime >= 0) this.resolvePending(eventTime());
    const count = this.length;
    const objects = this.events.length;
    const strings = this.stringCount;
    // Setting a length is a call into the runtime, even to the length the array has; and
    // a batch of steps alone leaves the array's storage for the next batch with strings.
    if (strings > 0 && this.strings.length !== strings) this.strings.length = strings;
    const batch = this.batch;
    batch.length = count;
    // Whole steps are two events, woken ones three, singles one, blanks none.
    batch.count = 2 * (count - this.singles - this.blanks) + this.singles + this.triples;
    batch.records = this.records;
    batch.events = this.events;
    batch.strings = strings > 0 ? this.strings : noStrings;
    this.publishing = true;
    // Published at a step's boundary (the next step has recorded nothing yet): the next
    // batch begins where that step's beginning goes.
    const boundary = this.cells !== undefined && this.quiet === count;
    // Records a subscriber makes while it is called start their own times and counts.
    this.clock[0] = Number.NaN;
    this.mark = -1;
    this.singles = 0;
    this.blanks = 0;
    this.triples = 0;
    this.stepAt = -1;
    this.quiet = -1;
    this.enteredAt = -1;
    try {
      // Subscribers may have left since the records were made; then nobody is owed them.
      if (batchChannel.hasSubscribers) batchChannel.publish(batch);
    } finally {
      this.publishing = false;
      this.dropPublished(count, objects, strings);
      if (boundary) this.quiet = this.length;
    }
  }

  /**
   * Makes room for one call's records (publishing a full batch, or growing it while it is
   * being published) and returns where they go. A batch begins with a time.
   */
  protected room(): number {
    if (this.length + MOST_PER_CALL > this.records.length) {
      // Full: publish and start again. While publishing (a subscriber making events of its
      // own) that cannot be, and during a step in a coarse window it would publish what the
      // step recorded before its beginning is written: the array grows instead (up to a bound).
      if (this.publishing || (this.cells !== undefined && this.quiet >= 0 && this.quiet < this.length && this.records.length < MOST_GROWN)) this.grow();
      else this.flush();
    }
    if (this.length === 0) {
      this.clock[0] = Number.NaN;
      this.mark = -1;
      this.stepAt = -1;
      this.enteredAt = -1;
      this.list();
      if (this.windows === 0) this.queueFlush();
    }
    return this.length;
  }

  protected grow(): void {
    const records = new Float64Array(this.records.length * 2);
    records.set(this.records);
    this.records = records;
  }

  protected resolvePending(time: number): void {
    this.records[this.pendingTime] = -time;
    this.pendingTime = -1;
    this.clock[0] = time;
    this.mark = -1;
  }

  /** Adds this log to {@link unpublished}, if it is not there (marked) already. */
  protected list(): void {
    if (this.listed) return;
    if (unpublished.length >= 64) {
      // Keep each log that still holds records, once.
      const listed = new Set(unpublished.filter((log) => log.listed));
      unpublished.length = 0;
      unpublished.push(...listed);
    }
    this.listed = true;
    unpublished.push(this);
  }

  protected queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    void settled.then(this.flushQueuedBound);
  }

  /**
   * Forgets the first `count` numbers (and `objects` objects, `strings` strings) once published. A subscriber
   * that made events while it was called (it spawned a task, say) added records after
   * them: those move to the front and wait for the next batch.
   */
  private dropPublished(count: number, objects: number, strings: number): void {
    const extra = this.length - count;
    if (extra > 0) {
      this.records.copyWithin(0, count, this.length);
      this.events.splice(0, objects);
      this.strings.splice(0, strings);
      this.stringCount -= strings;
      if (this.pendingTime >= 0) this.pendingTime -= count;
      this.stepAt = -1;
      this.quiet = -1;
      this.list();
      if (this.windows === 0) this.queueFlush();
    } else {
      // Setting a length is a call into the runtime, even to the length the array has.
      if (this.events.length !== 0) this.events.length = 0;
      // The strings stay where they are until the next batch writes over them.
      this.stringCount = 0;
    }
    this.length = extra;
  }
}
