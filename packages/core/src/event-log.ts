import { CODE_SPAN, TaskEventCode, batchChannel } from './event-batch.js';
import type { TaskEventBatch, TaskEventCodeValue } from './event-batch.js';
import { closeEventClockWindow, eventTime, openEventClockWindow, readEventTime } from './event-clock.js';
import { currentThread } from './events.js';
import type { TaskEvent } from './events.js';

/** Numbers per batch; a full log publishes what it has and starts again. */
const CAPACITY = 1024;
/** The most numbers one call writes (a time, the record, a `WaitingOn` record). */
const MOST_PER_CALL = 3;

/** Logs holding records not yet published, so that {@link flushTaskEvents} can reach them. */
const unpublished = new Set<TaskEventLog>();

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
  records: Float64Array;
  events: TaskEvent[];
}

/**
 * One executor's lifecycle events on the way to the batch channel: packed records in a
 * reused `Float64Array` (see {@link TaskEventBatch}), published as one batch per window (an
 * executor opens one around each drain of its ready queue), per 1024 numbers, or in the
 * next microtask for records made outside a window. Call its methods only while
 * `batchChannel.hasSubscribers`.
 *
 * Clock reads are shared. With the precise clock, a record made with
 * {@link TaskEventLog.later} (a step ending, a wake) takes its time from the log's next
 * clock read — normally the start of the next step — so that a run of steps costs one read
 * per step: `performance.now()` costs tens of nanoseconds, as much as a whole step of a
 * small task. With the coarse clock ({@link holdEventClock}), reads are nearly free, a time
 * is written only when it has changed, and a step whose end has the time of its start is
 * one record.
 *
 * The hot methods are written out, free of calls that take or return a fractional number:
 * V8 allocates a box for such a number whenever it crosses a call it does not inline, and
 * on this path that would be garbage on every step.
 */
export class TaskEventLog {
  /** Label of the executor whose events this log gathers. */
  readonly executor: string;
  /** The batch being gathered: `records` up to `length`, and `events`. */
  private records = new Float64Array(CAPACITY);
  private length = 0;
  private events: TaskEvent[] = [];
  /** The message object published (one per log, reused). */
  private readonly batch: MutableBatch;
  /** `[0]`: the time in effect for the next record (NaN: none yet in this batch). */
  private readonly clock = new Float64Array(1).fill(Number.NaN);
  /** `[0]`: the clock just read (see `readEventTime`). */
  private readonly now = new Float64Array(1);
  /** `[0]`: the time the current window started at (see `openEventClockWindow`). */
  private readonly floor = new Float64Array(1);
  /** While a window is open with the coarse clock: the clock thread's shared time. */
  private tick: Float64Array | undefined = undefined;
  /** Index of a time still to be read (records after it wait for it), or -1. */
  private pendingTime = -1;
  /** Index of the last step record, while it may still become a whole step, or -1. */
  private stepAt = -1;
  private windows = 0;
  private flushQueued = false;
  /** A batch is being published: a subscriber's own events wait for the next one. */
  private publishing = false;
  private readonly flushQueuedBound = (): void => {
    this.flushQueued = false;
    if (this.windows === 0) this.flush();
  };

  /** @param executor the executor's label, stamped on every batch */
  constructor(executor: string) {
    this.executor = executor;
    this.batch = { executor, thread: currentThread, length: 0, records: this.records, events: this.events };
  }

  /** A step begins (`Start` or `Resume` of `taskId`): reads the clock once. */
  step(code: typeof TaskEventCode.Start | typeof TaskEventCode.Resume, taskId: number): void {
    let n = this.length;
    if (n === 0 || n + MOST_PER_CALL > this.records.length) n = this.room();
    const records = this.records;
    const tick = this.tick;
    let time: number;
    if (tick === undefined) {
      readEventTime(this.now);
      time = this.now[0] ?? Number.NaN;
    } else {
      time = tick[0] ?? 0;
      const floor = this.floor[0] ?? 0;
      if (time < floor) time = floor;
    }
    const pending = this.pendingTime;
    if (pending >= 0) {
      // The records since the pending time happened before now: they take this time, and
      // so does this step.
      records[pending] = -time;
      this.pendingTime = -1;
      this.clock[0] = time;
    } else if (time !== this.clock[0]) {
      records[n++] = -time;
      this.clock[0] = time;
    }
    records[n] = taskId * CODE_SPAN + code;
    this.stepAt = n;
    this.length = n + 1;
  }

  /**
   * A record at the time of the log's next clock read (with the precise clock: the end of
   * a step is the start of the next), or at the coarse clock's time now. The end of the
   * step just begun, at the time of its start, turns that step's record into a whole step.
   * @param waitingOn for a suspend: the id of the task waited on, or NaN
   */
  later(code: TaskEventCodeValue, taskId: number, waitingOn: number): void {
    let n = this.length;
    if (n === 0 || n + MOST_PER_CALL > this.records.length) n = this.room();
    const records = this.records;
    const at = this.stepAt;
    this.stepAt = -1;
    const tick = this.tick;
    if (tick === undefined) {
      // The precise clock (or outside a window): the time is read later, once.
      if (this.pendingTime < 0) {
        this.pendingTime = n;
        records[n++] = Number.NaN;
      }
    } else {
      let time = tick[0] ?? 0;
      const floor = this.floor[0] ?? 0;
      if (time < floor) time = floor;
      if (this.pendingTime >= 0) {
        records[this.pendingTime] = -time;
        this.pendingTime = -1;
        this.clock[0] = time;
      } else if (time !== this.clock[0]) {
        records[n++] = -time;
        this.clock[0] = time;
      } else if (at === n - 1 && (code === TaskEventCode.SuspendYield || code === TaskEventCode.SuspendWait)) {
        // Nothing recorded since the step began, and no time passed on the clock: a whole step.
        const begun = records[at] ?? 0;
        if (begun === taskId * CODE_SPAN + TaskEventCode.Resume || begun === taskId * CODE_SPAN + TaskEventCode.Start) {
          const whole = begun === taskId * CODE_SPAN + TaskEventCode.Resume ? TaskEventCode.ResumeYield : TaskEventCode.StartYield;
          // The wait codes follow the yield codes.
          records[at] = taskId * CODE_SPAN + whole + (code === TaskEventCode.SuspendWait ? 1 : 0);
          if (waitingOn === waitingOn) records[n++] = waitingOn * CODE_SPAN + TaskEventCode.WaitingOn;
          this.length = n;
          return;
        }
      }
    }
    records[n++] = taskId * CODE_SPAN + code;
    // `x === x` is false only for NaN (no call on this path).
    if (waitingOn === waitingOn) records[n++] = waitingOn * CODE_SPAN + TaskEventCode.WaitingOn;
    this.length = n;
  }

  /** An event that travels as its object (spawn, settle, steal); its time is that of records waiting for one. */
  event(event: TaskEvent): void {
    const n = this.length === 0 || this.length + MOST_PER_CALL > this.records.length ? this.room() : this.length;
    this.stepAt = -1;
    if (this.pendingTime >= 0) this.resolvePending(event.time);
    this.records[n] = event.taskId * CODE_SPAN + TaskEventCode.Event;
    this.length = n + 1;
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

  /** Begins a window: records gather until the matching {@link TaskEventLog.close}. */
  open(): void {
    this.windows++;
    this.tick = openEventClockWindow(this.floor);
  }

  /** Ends a window; the outermost one publishes what was gathered. */
  close(): void {
    closeEventClockWindow();
    if (--this.windows > 0) return;
    this.tick = undefined;
    if (this.length > 0) this.flush();
  }

  /** Publishes the records gathered so far as one batch, giving records that wait for a time the clock's time now. */
  flush(): void {
    if (this.publishing) return;
    unpublished.delete(this);
    if (this.length === 0) return;
    if (this.pendingTime >= 0) this.resolvePending(eventTime());
    const count = this.length;
    const objects = this.events.length;
    const batch = this.batch;
    batch.length = count;
    batch.records = this.records;
    batch.events = this.events;
    this.publishing = true;
    // Records a subscriber makes while it is called start their own times.
    this.clock[0] = Number.NaN;
    this.stepAt = -1;
    try {
      // Subscribers may have left since the records were made; then nobody is owed them.
      if (batchChannel.hasSubscribers) batchChannel.publish(batch);
    } finally {
      this.publishing = false;
      this.dropPublished(count, objects);
    }
  }

  /**
   * Makes room for one call's records (publishing a full batch, or growing it while it is
   * being published) and returns where they go. A batch begins with a time.
   */
  private room(): number {
    if (this.length + MOST_PER_CALL > this.records.length) {
      // Full: publish and start again; while publishing (a subscriber making events of
      // its own) that cannot be, so the array grows instead.
      if (this.publishing) this.grow();
      else this.flush();
    }
    if (this.length === 0) {
      this.clock[0] = Number.NaN;
      this.stepAt = -1;
      unpublished.add(this);
      if (this.windows === 0) this.queueFlush();
    }
    return this.length;
  }

  private grow(): void {
    const records = new Float64Array(this.records.length * 2);
    records.set(this.records);
    this.records = records;
  }

  private resolvePending(time: number): void {
    this.records[this.pendingTime] = -time;
    this.pendingTime = -1;
    this.clock[0] = time;
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(this.flushQueuedBound);
  }

  /**
   * Forgets the first `count` numbers (and `objects` objects) once published. A subscriber
   * that made events while it was called (it spawned a task, say) added records after
   * them: those move to the front and wait for the next batch.
   */
  private dropPublished(count: number, objects: number): void {
    const extra = this.length - count;
    if (extra > 0) {
      this.records.copyWithin(0, count, this.length);
      this.events.splice(0, objects);
      if (this.pendingTime >= 0) this.pendingTime -= count;
      this.stepAt = -1;
      unpublished.add(this);
      if (this.windows === 0) this.queueFlush();
    } else {
      this.events.length = 0;
    }
    this.length = extra;
  }
}
