import { TaskEventCode, batchChannel } from './event-batch.js';
import type { TaskEventBatch, TaskEventCodeValue } from './event-batch.js';
import { closeEventClockWindow, coarseEventTime, eventTime, openEventClockWindow } from './event-clock.js';
import { currentThread } from './events.js';
import type { TaskEvent } from './events.js';

/** Records per batch; a full log publishes what it has and starts again. */
const CAPACITY = 1024;

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

/** The message object a log publishes: its arrays, its current length. */
interface MutableBatch extends TaskEventBatch {
  length: number;
  codes: Uint8Array;
  taskIds: Float64Array;
  times: Float64Array;
  waitingOn: Float64Array;
  events: TaskEvent[];
}

/**
 * One executor's lifecycle events on the way to the batch channel: compact records in
 * reused typed arrays, published as one {@link TaskEventBatch} per window (an executor opens
 * one around each drain of its ready queue), per 1024 records, or in the next microtask for
 * records made outside a window. Call its methods only while `batchChannel.hasSubscribers`.
 *
 * Clock reads are shared: a record made with {@link TaskEventLog.later} (a step ending, a
 * wake) takes its time from the next clock read of the log — normally the start of the next
 * step — so that a run of steps costs one read per step instead of two. Reading
 * `performance.now()` costs tens of nanoseconds, as much as a whole step of a small task.
 */
export class TaskEventLog {
  /** Label of the executor whose events this log gathers. */
  readonly executor: string;
  private batch: MutableBatch | undefined = undefined;
  /** First record that still waits for its time, or -1. */
  private untimedFrom = -1;
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
  }

  /**
   * A step begins: reads the clock once, stamps this record and every earlier one that
   * waits for a time, and returns the time read.
   */
  step(code: typeof TaskEventCode.Start | typeof TaskEventCode.Resume, taskId: number): number {
    const time = eventTime();
    this.append(code, taskId, time, Number.NaN);
    return time;
  }

  /**
   * A record whose time is the log's next clock read (the end of a step is the start of the
   * next), or the coarse clock's time now when that is in use (reading it is nearly free).
   */
  later(code: TaskEventCodeValue, taskId: number, waitingOn: number): void {
    this.append(code, taskId, coarseEventTime(), waitingOn);
  }

  /** An event that travels as its object (spawn, settle, steal); its time stamps earlier untimed records. */
  event(event: TaskEvent): void {
    const batch = this.append(TaskEventCode.Event, event.taskId, event.time, Number.NaN);
    batch.events.push(event);
  }

  /**
   * A step that ran outside a window has ended: the records still waiting for a time get
   * the clock's time now, rather than that of whatever this log records next (which could
   * be after unrelated work, and would make the step look longer than it was).
   */
  stampNow(): void {
    const batch = this.batch;
    if (batch !== undefined && this.untimedFrom >= 0) this.stamp(batch, eventTime(), batch.length);
  }

  /** Begins a window: records gather until the matching {@link TaskEventLog.close}. */
  open(): void {
    this.windows++;
    openEventClockWindow();
  }

  /** Ends a window; the outermost one publishes what was gathered. */
  close(): void {
    closeEventClockWindow();
    if (--this.windows === 0 && this.batch !== undefined && this.batch.length > 0) this.flush();
  }

  /** Publishes the records gathered so far as one batch, stamping untimed ones with the clock now. */
  flush(): void {
    const batch = this.batch;
    if (this.publishing || batch === undefined) return;
    unpublished.delete(this);
    if (batch.length === 0) return;
    if (this.untimedFrom >= 0) this.stamp(batch, eventTime(), batch.length);
    const count = batch.length;
    const objects = batch.events.length;
    this.publishing = true;
    try {
      // Subscribers may have left since the records were made; then nobody is owed them.
      if (batchChannel.hasSubscribers) batchChannel.publish(batch);
    } finally {
      this.publishing = false;
      this.dropPublished(batch, count, objects);
    }
  }

  private append(code: TaskEventCodeValue, taskId: number, time: number, waitingOn: number): MutableBatch {
    let batch = this.batch;
    if (batch === undefined) batch = this.batch = newBatch(this.executor);
    else if (batch.length === batch.codes.length) {
      // Full: publish and start again; while publishing (a subscriber making events of
      // its own) that cannot be, so the arrays grow instead.
      if (this.publishing) grow(batch);
      else this.flush();
    }
    const i = batch.length++;
    batch.codes[i] = code;
    batch.taskIds[i] = taskId;
    batch.times[i] = time;
    batch.waitingOn[i] = waitingOn;
    if (Number.isNaN(time)) {
      if (this.untimedFrom < 0) this.untimedFrom = i;
    } else if (this.untimedFrom >= 0) {
      this.stamp(batch, time, i);
    }
    if (i === 0) {
      unpublished.add(this);
      if (this.windows === 0) this.queueFlush();
    }
    return batch;
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(this.flushQueuedBound);
  }

  /** Gives `time` to the untimed records before index `end`. */
  private stamp(batch: MutableBatch, time: number, end: number): void {
    // A loop, not `fill`: usually one record, and `fill` is a call into the runtime.
    const times = batch.times;
    for (let i = this.untimedFrom; i < end; i++) times[i] = time;
    this.untimedFrom = -1;
  }

  /**
   * Forgets the first `count` records (and `objects` objects) once published. A subscriber
   * that made events while it was called (it spawned a task, say) added records after
   * them: those move to the front and wait for the next batch.
   */
  private dropPublished(batch: MutableBatch, count: number, objects: number): void {
    const extra = batch.length - count;
    if (extra > 0) {
      batch.codes.copyWithin(0, count, batch.length);
      batch.taskIds.copyWithin(0, count, batch.length);
      batch.times.copyWithin(0, count, batch.length);
      batch.waitingOn.copyWithin(0, count, batch.length);
      batch.events.splice(0, objects);
      if (this.untimedFrom >= 0) this.untimedFrom -= count;
      unpublished.add(this);
      if (this.windows === 0) this.queueFlush();
    } else {
      batch.events.length = 0;
    }
    batch.length = extra;
  }
}

function grow(batch: MutableBatch): void {
  const size = batch.codes.length * 2;
  const codes = new Uint8Array(size);
  codes.set(batch.codes);
  batch.codes = codes;
  const taskIds = new Float64Array(size);
  taskIds.set(batch.taskIds);
  batch.taskIds = taskIds;
  const times = new Float64Array(size);
  times.set(batch.times);
  batch.times = times;
  const waitingOn = new Float64Array(size);
  waitingOn.set(batch.waitingOn);
  batch.waitingOn = waitingOn;
}

function newBatch(executor: string): MutableBatch {
  return {
    executor,
    thread: currentThread,
    length: 0,
    codes: new Uint8Array(CAPACITY),
    taskIds: new Float64Array(CAPACITY),
    times: new Float64Array(CAPACITY),
    waitingOn: new Float64Array(CAPACITY),
    events: [],
  };
}
