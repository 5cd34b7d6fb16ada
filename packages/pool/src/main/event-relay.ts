import { TaskEventCode, batchChannel, channels, compactTaskEvent, publishTaskEventObject, wantsObjects } from '@spindle/core/events';
import type { TaskEvent } from '@spindle/core';
import type { TaskEventBatch, TaskEventLog } from '@spindle/core/events';
import { SPAN, Wire, settleStates } from '../shared/event-wire.js';

/** What the main thread does with the reports in a worker's chunk (see event-wire.ts). */
export interface ReportHandler {
  /** A main-thread task finished; its outcome is in `slot`. */
  done(slot: number, taskId: number): void;
  /** A main-thread task finished with an outcome too large for its slot. */
  doneWithValue(slot: number, status: number, value: unknown): void;
  /** Another worker's task finished with an outcome too large for its slot, or moving `transfer`: pass it on. */
  relay(owner: number, slot: number, status: number, value: unknown, transfer: readonly ArrayBuffer[] | undefined): void;
}

/** The batch message published (one per relay, reused, as core's logs do). */
interface MutableBatch extends TaskEventBatch {
  thread: number;
  length: number;
  count: number;
  records: Float64Array;
}

/**
 * The main thread's side of event forwarding: publishes the events of a worker's chunk to
 * whoever listens (as one batch on core's batch channel for stream subscribers such as a
 * recorder, copied straight from the chunk's records; as event objects on the per-kind
 * channels only for subscribers that want objects), then hands the chunk's reports to a
 * {@link ReportHandler}. Reports come after the chunk's events, so that a task's settlement
 * (published by the main thread as it handles the report) follows the events before it.
 */
export class EventRelay {
  private records = new Float64Array(1024);
  private readonly events: TaskEvent[] = [];
  private readonly batch: MutableBatch;
  /** Where the chunk's reports are, to be handled once its events are out. */
  private readonly reports: number[] = [];

  /**
   * @param label the pool's label, the `executor` of every event
   * @param log the pool's own event log: what the main thread recorded goes out before a worker's batch
   */
  constructor(
    private readonly label: string,
    private readonly log: TaskEventLog,
  ) {
    // Spawns and settlements from workers travel as event objects here: no strings.
    this.batch = { executor: label, thread: 0, length: 0, count: 0, records: this.records, events: this.events, strings: [] };
  }

  /** Publishes the events of `records[from..to)`, a chunk from the worker on `thread`, then handles its reports. */
  chunk(records: Float64Array, from: number, to: number, extras: readonly unknown[], thread: number, handler: ReportHandler): void {
    const toBatch = batchChannel.hasSubscribers;
    const startObjects = wantsObjects(channels.start);
    const resumeObjects = wantsObjects(channels.resume);
    const suspendObjects = wantsObjects(channels.suspend);
    const wakeObjects = wantsObjects(channels.wake);
    const spawnObjects = wantsObjects(channels.spawn);
    const stealObjects = wantsObjects(channels.steal);
    const settleObjects = wantsObjects(channels.settle);
    const label = this.label;
    const reports = this.reports;
    if (to - from > this.records.length) this.grow(to - from);
    const out = this.records;
    let n = 0;
    let count = 0;
    let time = Number.NaN;
    for (let i = from; i < to; i++) {
      const record = records[i] ?? 0;
      if (record < 0) {
        time = -record;
        out[n++] = record;
        continue;
      }
      const id = Math.floor(record / SPAN);
      const code = record - id * SPAN;
      switch (code) {
        case Wire.Start:
        case Wire.Resume:
        case Wire.SuspendYield:
        case Wire.Wake: {
          out[n++] = record;
          count++;
          const wanted = code === Wire.Start ? startObjects : code === Wire.Resume ? resumeObjects : code === Wire.Wake ? wakeObjects : suspendObjects;
          if (wanted) this.publishObject(compactTaskEvent(code, id, label, thread, time, Number.NaN));
          break;
        }
        case Wire.SuspendWait: {
          out[n++] = record;
          count++;
          const next = records[i + 1] ?? -1;
          let waitingOn = Number.NaN;
          if (i + 1 < to && next >= 0 && next - Math.floor(next / SPAN) * SPAN === Wire.WaitingOn) {
            waitingOn = Math.floor(next / SPAN);
            out[n++] = next;
            i++;
          }
          if (suspendObjects) this.publishObject(compactTaskEvent(TaskEventCode.SuspendWait, id, label, thread, time, waitingOn));
          break;
        }
        case Wire.Spawn: {
          if (toBatch || spawnObjects) {
            const name = records[i + 2] ?? -1;
            const event: TaskEvent = {
              kind: 'spawn',
              taskId: id,
              executor: label,
              thread,
              time,
              name: name < 0 ? undefined : textAt(extras, name),
              parentId: records[i + 1],
              body: textAt(extras, records[i + 3] ?? -1) ?? '',
            };
            n = this.place(event, toBatch, spawnObjects, n);
            if (toBatch) count++;
          }
          i += 3;
          break;
        }
        case Wire.Steal: {
          if (toBatch || stealObjects) {
            const event: TaskEvent = { kind: 'steal', taskId: id, executor: label, thread, time, from: records[i + 1] ?? -1, to: records[i + 2] ?? -1 };
            n = this.place(event, toBatch, stealObjects, n);
            if (toBatch) count++;
          }
          i += 2;
          break;
        }
        case Wire.Settle: {
          if (toBatch || settleObjects) {
            const error = records[i + 2] ?? -1;
            const event: TaskEvent = {
              kind: 'settle',
              taskId: id,
              executor: label,
              thread,
              time,
              state: settleStates[records[i + 1] ?? 0] ?? 'rejected',
              error: error < 0 ? undefined : textAt(extras, error),
            };
            n = this.place(event, toBatch, settleObjects, n);
            if (toBatch) count++;
          }
          i += 2;
          break;
        }
        case Wire.Done:
          reports.push(i);
          i += 1;
          break;
        case Wire.DoneWithValue:
          reports.push(i);
          i += 2;
          break;
        case Wire.Relay:
          reports.push(i);
          i += 4;
          break;
        default:
          // A stray WaitingOn (its suspend had one already): kept, as core's decoder ignores it alone.
          out[n++] = record;
      }
    }
    // Checked again: a subscriber called for an object may have left.
    if (toBatch && count > 0 && batchChannel.hasSubscribers) this.publishBatch(thread, n, count);
    this.events.length = 0;
    if (reports.length === 0) return;
    for (const at of reports) {
      const record = records[at] ?? 0;
      const slot = Math.floor(record / SPAN);
      const code = record - slot * SPAN;
      if (code === Wire.Done) handler.done(slot, records[at + 1] ?? -1);
      else if (code === Wire.DoneWithValue) handler.doneWithValue(slot, records[at + 1] ?? -1, extras[records[at + 2] ?? 0]);
      else handler.relay(records[at + 1] ?? -1, slot, records[at + 2] ?? -1, extras[records[at + 3] ?? 0], movedOn(extras, records[at + 4] ?? -1));
    }
    reports.length = 0;
  }

  /** An event that travels as an object: into the batch (an `Event` record), and to per-kind subscribers that want it. */
  private place(event: TaskEvent, toBatch: boolean, asObject: boolean, n: number): number {
    if (asObject) publishTaskEventObject(event);
    if (!toBatch) return n;
    this.records[n] = event.taskId * SPAN + TaskEventCode.Event;
    this.events.push(event);
    return n + 1;
  }

  private publishObject(event: TaskEvent | undefined): void {
    if (event !== undefined) publishTaskEventObject(event);
  }

  private publishBatch(thread: number, length: number, count: number): void {
    // What the main thread recorded so far (its spawns, settlements it published while
    // handling earlier chunks) goes out first, keeping the order events happened in.
    this.log.flush();
    const batch = this.batch;
    batch.thread = thread;
    batch.length = length;
    batch.count = count;
    batch.records = this.records;
    batchChannel.publish(batch);
  }

  private grow(least: number): void {
    let size = this.records.length * 2;
    while (size < least) size *= 2;
    this.records = new Float64Array(size);
  }
}

/** The buffers at `index` of a report's extras (-1: none). */
function movedOn(extras: readonly unknown[], index: number): readonly ArrayBuffer[] | undefined {
  const value = index < 0 ? undefined : extras[index];
  return Array.isArray(value) ? (value as ArrayBuffer[]) : undefined;
}

/** The string at `index` of a report's extras. */
function textAt(extras: readonly unknown[], index: number): string | undefined {
  const value = extras[index];
  return typeof value === 'string' ? value : undefined;
}
