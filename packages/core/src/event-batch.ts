import diagnosticsChannel from 'node:diagnostics_channel';
import type { ResumeEvent, StartEvent, SuspendEvent, TaskEvent, WakeEvent } from './events.js';

/** Name of the `node:diagnostics_channel` channel that carries lifecycle events in batches. */
export const batchChannelName = 'spindle:task:batch';

/**
 * The batch channel. Executors built on core's helpers publish every lifecycle event here,
 * in batches of compact records, whenever it has subscribers: one message per drain of the
 * ready queue (or per 1024 events) instead of one object per event. The per-kind channels
 * (`channels`) keep working as before for their own subscribers.
 */
export const batchChannel = diagnosticsChannel.channel(batchChannelName);

/**
 * What one record of a {@link TaskEventBatch} is. Step events (the per-step hot path) are
 * compact records; every other event travels as its {@link TaskEvent} object (`Event`).
 */
export const TaskEventCode = {
  /** The next object of {@link TaskEventBatch.events}. */
  Event: 0,
  Start: 1,
  Resume: 2,
  /** `suspend` with reason `yield`. */
  SuspendYield: 3,
  /** `suspend` with reason `wait` (`waitingOn` holds the awaited task's id, or NaN). */
  SuspendWait: 4,
  Wake: 5,
} as const;
/** One of the {@link TaskEventCode} values. */
export type TaskEventCodeValue = (typeof TaskEventCode)[keyof typeof TaskEventCode];

/**
 * One message on the batch channel: the lifecycle events of one executor on one thread, in
 * the order they happened. Record `i` (for `i < length`) is `codes[i]`, `taskIds[i]`,
 * `times[i]` (the shared clock, as {@link TaskEventBase.time}) and `waitingOn[i]`.
 *
 * The arrays are reused for the executor's next batch: read them during the publish call
 * and copy what you keep. {@link forEachTaskEvent} turns a batch back into event objects.
 */
export interface TaskEventBatch {
  /** Label of the executor every event in the batch belongs to. */
  readonly executor: string;
  /** `worker_threads.threadId` of the thread the events happened on. */
  readonly thread: number;
  /** Records in this batch (the arrays may be longer). */
  readonly length: number;
  /** One {@link TaskEventCode} per record. */
  readonly codes: Uint8Array;
  readonly taskIds: Float64Array;
  readonly times: Float64Array;
  /** For `SuspendWait` records: the id of the task waited on, NaN when none. */
  readonly waitingOn: Float64Array;
  /** The events of the `Event` records, in order. */
  readonly events: readonly TaskEvent[];
}

/**
 * Calls `listener` with each event of `batch`, in order, as the same objects the per-kind
 * channels carry (compact records are turned into new objects; `Event` records are passed
 * as they are).
 */
export function forEachTaskEvent(batch: TaskEventBatch, listener: (event: TaskEvent) => void): void {
  const { executor, thread, codes, taskIds, times, waitingOn, events } = batch;
  let next = 0;
  for (let i = 0; i < batch.length; i++) {
    const code = codes[i] ?? TaskEventCode.Event;
    const event =
      code === TaskEventCode.Event
        ? events[next++]
        : compactTaskEvent(code, taskIds[i] ?? Number.NaN, executor, thread, times[i] ?? Number.NaN, waitingOn[i] ?? Number.NaN);
    if (event !== undefined) listener(event);
  }
}

/**
 * The event object of one compact record (any code but `Event`, which has its object
 * already; `undefined` for that and for unknown codes).
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
