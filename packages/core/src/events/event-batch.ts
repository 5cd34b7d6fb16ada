import diagnosticsChannel from 'node:diagnostics_channel';
import type { ResumeEvent, SettleEvent, SpawnEvent, StartEvent, SuspendEvent, TaskEvent, WakeEvent } from '../contract/lifecycle-events.js';

/** Name of the `node:diagnostics_channel` channel that carries lifecycle events in batches. */
export const batchChannelName = 'spindle:task:batch';

/**
 * The batch channel. Executors built on core's helpers publish every lifecycle event here,
 * in batches of compact records, whenever it has subscribers: one message per drain of the
 * ready queue (or per 1024 records) instead of one object per event. The per-kind channels
 * (`channels`) keep working as before for their own subscribers.
 */
export const batchChannel = diagnosticsChannel.channel(batchChannelName);

/**
 * What one record of a {@link TaskEventBatch} is. Step events, wakes, spawns and
 * settlements are compact records (spawns and settlements with their strings in
 * {@link TaskEventBatch.strings}); any other event (a steal, or one relayed as an object)
 * travels as its {@link TaskEvent} object (`Event`).
 */
export const TaskEventCode = {
  /** The next object of {@link TaskEventBatch.events} (whose own `time` it carries). */
  Event: 0,
  Start: 1,
  Resume: 2,
  /** `suspend` with reason `yield`. */
  SuspendYield: 3,
  /** `suspend` with reason `wait`; a `WaitingOn` record may follow. */
  SuspendWait: 4,
  Wake: 5,
  /** A whole step in one record: `start`, then `suspend` with reason `yield`, at the same time. */
  StartYield: 6,
  /** `start`, then `suspend` with reason `wait`, at the same time; a `WaitingOn` record may follow. */
  StartWait: 7,
  /** `resume`, then `suspend` with reason `yield`, at the same time. */
  ResumeYield: 8,
  /** `resume`, then `suspend` with reason `wait`, at the same time; a `WaitingOn` record may follow. */
  ResumeWait: 9,
  /** Not an event: the suspend just before waited on the task whose id this record holds. */
  WaitingOn: 10,
  /** `spawn`; its `name` and `body` are the next two entries of {@link TaskEventBatch.strings}. A `ParentIs` record may follow. */
  Spawn: 11,
  /** Not an event: the spawn just before is a child of the task whose id this record holds. */
  ParentIs: 12,
  /** `settle` with state `fulfilled`. */
  Fulfilled: 13,
  /** `settle` with state `rejected`; its `error` is the next entry of {@link TaskEventBatch.strings}. */
  Rejected: 14,
  /** `settle` with state `cancelled`; its `error` is the next entry of {@link TaskEventBatch.strings}. */
  Cancelled: 15,
  /**
   * A task woken and stepped at once, in one record: `wake`, `resume`, then `suspend` with
   * reason `yield`, at the same time (an executor that steps a task in its wake callback).
   */
  WokeResumeYield: 16,
  /** `wake`, `resume`, then `suspend` with reason `wait`, at the same time; a `WaitingOn` record may follow. */
  WokeResumeWait: 17,
} as const;
/** One of the {@link TaskEventCode} values. */
export type TaskEventCodeValue = (typeof TaskEventCode)[keyof typeof TaskEventCode];

/** The codes of a whole step: how it began (start or resume) and why it suspended (yield or wait). */
export type WholeStepCode = typeof TaskEventCode.StartYield | typeof TaskEventCode.StartWait | typeof TaskEventCode.ResumeYield | typeof TaskEventCode.ResumeWait;

/** Codes fit in five bits of a record: a record is `taskId * CODE_SPAN + code`. */
export const CODE_SPAN = 32;

/**
 * The code space of records, one for every format that packs records as
 * `taskId * CODE_SPAN + code`: codes below {@link EXECUTOR_CODES} `.first` belong to core
 * ({@link TaskEventCode}; those not yet given a meaning are reserved for it), and codes
 * from `first` to `last` are for executors' own records on their own wire formats (a
 * worker's report to its main thread, say), which core never gives a meaning. An executor
 * that forwards core's events uses core's codes for them, so the two never collide.
 */
export const EXECUTOR_CODES = { first: 24, last: CODE_SPAN - 1 } as const;

/**
 * One message on the batch channel: the lifecycle events of one executor on one thread, in
 * the order they happened, as records packed into one `Float64Array`, each one number:
 *
 * - a **time** (the shared clock, as {@link TaskEventBase.time}) is stored negated; it is
 *   the time of the records after it, up to the next time;
 * - any other number is an event record, `taskId * 32 + code` (see {@link TaskEventCode},
 *   {@link taskEventRecordCode}, {@link taskEventRecordTaskId}).
 *
 * A batch begins with a time. Packing keeps the per-step cost of recording to a couple of
 * array writes: a step of a small task takes tens of nanoseconds, and so would a record
 * of several fields. The array is reused for the executor's next batch: read it during
 * the publish call and copy what you keep. {@link forEachTaskEvent} turns a batch back
 * into event objects.
 */
export interface TaskEventBatch {
  /** Label of the executor every event in the batch belongs to. */
  readonly executor: string;
  /** `worker_threads.threadId` of the thread the events happened on. */
  readonly thread: number;
  /** Numbers in use in `records` (the array may be longer). */
  readonly length: number;
  /**
   * How many lifecycle events the records stand for (a whole step is two, a time none):
   * the sum of {@link taskEventRecordWeight} over them, counted as they were written.
   */
  readonly count: number;
  readonly records: Float64Array;
  /** The events of the `Event` records, in order. */
  readonly events: readonly TaskEvent[];
  /**
   * The strings of `Spawn` records (name, body) and of `Rejected` and `Cancelled` records
   * (error), in record order: packed spawns and settlements need no object.
   */
  readonly strings: readonly (string | undefined)[];
}

/** The record for event `code` of task `taskId`. */
export function taskEventRecord(taskId: number, code: TaskEventCodeValue): number {
  return taskId * CODE_SPAN + code;
}

/** The code of an event record (not a time). */
export function taskEventRecordCode(record: number): number {
  // Not `record % 32`: V8 computes `%` of fractional-typed numbers (all a Float64Array
  // holds) with a call into C, tens of times slower than these two instructions.
  return record - Math.floor(record / CODE_SPAN) * CODE_SPAN;
}

/** The task id of an event record (not a time). */
export function taskEventRecordTaskId(record: number): number {
  return Math.floor(record / CODE_SPAN);
}

/** How many lifecycle events the record stands for: 0 for a time or `WaitingOn`, 2 for a whole step, 3 for a woken one. */
export function taskEventRecordWeight(record: number): number {
  if (record < 0 || Number.isNaN(record)) return 0;
  const code = taskEventRecordCode(record);
  if (code === TaskEventCode.WaitingOn || code === TaskEventCode.ParentIs) return 0;
  if (code === TaskEventCode.WokeResumeYield || code === TaskEventCode.WokeResumeWait) return 3;
  return code >= TaskEventCode.StartYield && code <= TaskEventCode.ResumeWait ? 2 : 1;
}

/**
 * Calls `listener` with each event of `batch`, in order, as the same objects the per-kind
 * channels carry (compact records are turned into new objects; `Event` records are passed
 * as they are).
 */
export function forEachTaskEvent(batch: TaskEventBatch, listener: (event: TaskEvent) => void): void {
  const { executor, thread, records, events } = batch;
  const decoder = new TaskEventDecoder(executor, thread);
  decoder.useStrings(batch.strings);
  let next = 0;
  for (let i = 0; i < batch.length; i++) {
    const record = records[i] ?? Number.NaN;
    if (record >= 0 && taskEventRecordCode(record) === TaskEventCode.Event) {
      decoder.flush(listener);
      const event = events[next++];
      if (event !== undefined) listener(event);
      continue;
    }
    decoder.add(record, listener);
  }
  decoder.flush(listener);
}

/**
 * Turns a sequence of packed records (times and compact event records, no `Event`
 * records) back into event objects. A suspend is held back one record, for the
 * `WaitingOn` record that may follow it; call {@link TaskEventDecoder.flush} at the end.
 */
export class TaskEventDecoder {
  /** The time of the records being read (NaN until the first time record). */
  time = Number.NaN;
  // A suspend held back for a `WaitingOn` record, or a spawn for a `ParentIs` record
  // (fields, not an object: one per step).
  private pendingCode = 0;
  private pendingTaskId = 0;
  private pendingTime = Number.NaN;
  private pendingName: string | undefined = undefined;
  private pendingBody = '';
  /** The strings of the batch being read ({@link TaskEventBatch.strings}), and the next one to take. */
  private strings: readonly (string | undefined)[] = [];
  private nextString = 0;

  constructor(
    private readonly executor: string,
    private readonly thread: number,
  ) {}

  /** Reads the strings of packed spawns and settlements from `strings` (a batch's), from its first on. */
  useStrings(strings: readonly (string | undefined)[]): void {
    this.strings = strings;
    this.nextString = 0;
  }

  /** Reads one record (a time or a compact event record); passes finished events to `listener`. */
  add(record: number, listener: (event: TaskEvent) => void): void {
    if (record < 0) {
      this.time = -record;
      return;
    }
    if (Number.isNaN(record)) return;
    const taskId = Math.floor(record / CODE_SPAN);
    const code = record - taskId * CODE_SPAN;
    if (code === TaskEventCode.WaitingOn || code === TaskEventCode.ParentIs) {
      const pendingCode = this.pendingCode;
      if (pendingCode !== 0 && (pendingCode === TaskEventCode.Spawn) === (code === TaskEventCode.ParentIs)) {
        this.pendingCode = 0;
        if (pendingCode === TaskEventCode.Spawn) listener(packedSpawnEvent(this.pendingTaskId, this.executor, this.thread, this.pendingTime, this.pendingName, taskId, this.pendingBody));
        else emitSuspend(pendingCode, this.pendingTaskId, this.executor, this.thread, this.pendingTime, taskId, listener);
      }
      return;
    }
    this.flush(listener);
    const time = this.time;
    switch (code) {
      case TaskEventCode.Spawn:
        this.hold(code, taskId, time);
        this.pendingName = this.strings[this.nextString++];
        this.pendingBody = this.strings[this.nextString++] ?? '';
        return;
      case TaskEventCode.Fulfilled:
        listener(packedSettleEvent(code, taskId, this.executor, this.thread, time, undefined));
        return;
      case TaskEventCode.Rejected:
      case TaskEventCode.Cancelled:
        listener(packedSettleEvent(code, taskId, this.executor, this.thread, time, this.strings[this.nextString++]));
        return;
      case TaskEventCode.StartYield:
      case TaskEventCode.StartWait:
      case TaskEventCode.ResumeYield:
      case TaskEventCode.ResumeWait: {
        const begin = code <= TaskEventCode.StartWait ? TaskEventCode.Start : TaskEventCode.Resume;
        const first = compactTaskEvent(begin, taskId, this.executor, this.thread, time, Number.NaN);
        if (first !== undefined) listener(first);
        this.hold(code === TaskEventCode.StartYield || code === TaskEventCode.ResumeYield ? TaskEventCode.SuspendYield : TaskEventCode.SuspendWait, taskId, time);
        return;
      }
      case TaskEventCode.WokeResumeYield:
      case TaskEventCode.WokeResumeWait: {
        const wake = compactTaskEvent(TaskEventCode.Wake, taskId, this.executor, this.thread, time, Number.NaN);
        const resume = compactTaskEvent(TaskEventCode.Resume, taskId, this.executor, this.thread, time, Number.NaN);
        if (wake !== undefined) listener(wake);
        if (resume !== undefined) listener(resume);
        this.hold(code === TaskEventCode.WokeResumeYield ? TaskEventCode.SuspendYield : TaskEventCode.SuspendWait, taskId, time);
        return;
      }
      case TaskEventCode.SuspendYield:
      case TaskEventCode.SuspendWait:
        this.hold(code, taskId, time);
        return;
      default: {
        const event = compactTaskEvent(code, taskId, this.executor, this.thread, time, Number.NaN);
        if (event !== undefined) listener(event);
      }
    }
  }

  /** Passes on a suspend (or spawn) held back for a `WaitingOn` (`ParentIs`) record that did not come. */
  flush(listener: (event: TaskEvent) => void): void {
    const pendingCode = this.pendingCode;
    if (pendingCode === 0) return;
    this.pendingCode = 0;
    if (pendingCode === TaskEventCode.Spawn) listener(packedSpawnEvent(this.pendingTaskId, this.executor, this.thread, this.pendingTime, this.pendingName, Number.NaN, this.pendingBody));
    else emitSuspend(pendingCode, this.pendingTaskId, this.executor, this.thread, this.pendingTime, Number.NaN, listener);
  }

  private hold(code: number, taskId: number, time: number): void {
    this.pendingCode = code;
    this.pendingTaskId = taskId;
    this.pendingTime = time;
  }
}

/**
 * The event object of a packed spawn (a `Spawn` record and its strings).
 * @param parentId the parent's id, or NaN for a task spawned from outside any task
 */
export function packedSpawnEvent(taskId: number, executor: string, thread: number, time: number, name: string | undefined, parentId: number, body: string): SpawnEvent {
  return { kind: 'spawn', taskId, executor, thread, time, name, parentId: Number.isNaN(parentId) ? undefined : parentId, body };
}

const settledStates = { [TaskEventCode.Fulfilled]: 'fulfilled', [TaskEventCode.Rejected]: 'rejected', [TaskEventCode.Cancelled]: 'cancelled' } as const;

/** The event object of a packed settlement (`code`: `Fulfilled`, `Rejected` or `Cancelled`). */
export function packedSettleEvent(
  code: typeof TaskEventCode.Fulfilled | typeof TaskEventCode.Rejected | typeof TaskEventCode.Cancelled,
  taskId: number,
  executor: string,
  thread: number,
  time: number,
  error: string | undefined,
): SettleEvent {
  return { kind: 'settle', taskId, executor, thread, time, state: settledStates[code], error };
}

function emitSuspend(code: number, taskId: number, executor: string, thread: number, time: number, waitingOn: number, listener: (event: TaskEvent) => void): void {
  const event = compactTaskEvent(code, taskId, executor, thread, time, waitingOn);
  if (event !== undefined) listener(event);
}

/**
 * The event object of one compact event (`Start`, `Resume`, `SuspendYield`, `SuspendWait`,
 * `Wake`; `undefined` for any other code).
 */
export function compactTaskEvent(
  code: number,
  taskId: number,
  executor: string,
  thread: number,
  time: number,
  waitingOn: number,
): StartEvent | ResumeEvent | SuspendEvent | WakeEvent | undefined {
  switch (code) {
    case TaskEventCode.Start:
      return { kind: 'start', taskId, executor, thread, time };
    case TaskEventCode.Resume:
      return { kind: 'resume', taskId, executor, thread, time };
    case TaskEventCode.SuspendYield:
      return { kind: 'suspend', taskId, executor, thread, time, reason: 'yield' };
    case TaskEventCode.SuspendWait:
      return Number.isNaN(waitingOn)
        ? { kind: 'suspend', taskId, executor, thread, time, reason: 'wait' }
        : { kind: 'suspend', taskId, executor, thread, time, reason: 'wait', waitingOn };
    case TaskEventCode.Wake:
      return { kind: 'wake', taskId, executor, thread, time };
    default:
      return undefined;
  }
}
