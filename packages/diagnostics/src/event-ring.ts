import { TaskEventCode, compactTaskEvent } from '@spindle/core';
import type { TaskEvent, TaskEventBatch } from '@spindle/core';

/**
 * A fixed-size ring of recorded lifecycle events: once full, each new event overwrites the
 * oldest and is counted as dropped. Recording never allocates beyond the capacity.
 *
 * Step events (start, resume, suspend, wake) are kept as compact records in typed arrays,
 * copied from core's batches, and become event objects only when the recording is read:
 * a recorder on the hot path then costs a few array writes per event instead of an object
 * for the garbage collector. Other events keep their objects.
 */
export class EventRing {
  readonly capacity: number;
  private readonly codes: Uint8Array;
  private readonly taskIds: Float64Array;
  private readonly times: Float64Array;
  private readonly waitingOn: Float64Array;
  private readonly threads: Float64Array;
  private readonly executors: (string | undefined)[];
  private readonly objects: (TaskEvent | undefined)[];
  private next = 0;
  private total = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.codes = new Uint8Array(capacity);
    this.taskIds = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.waitingOn = new Float64Array(capacity);
    this.threads = new Float64Array(capacity);
    this.executors = new Array<string | undefined>(capacity).fill(undefined);
    this.objects = new Array<TaskEvent | undefined>(capacity).fill(undefined);
  }

  /** Events pushed since the last clear, kept or not. */
  get pushed(): number {
    return this.total;
  }

  /** Events overwritten because the ring was full. */
  get dropped(): number {
    return Math.max(0, this.total - this.capacity);
  }

  /** Keeps one event object. */
  push(event: TaskEvent): void {
    const i = this.claim();
    this.codes[i] = TaskEventCode.Event;
    this.objects[i] = event;
    this.executors[i] = undefined;
  }

  /** Keeps every event of a batch (copied: the batch's arrays are reused). */
  pushBatch(batch: TaskEventBatch): void {
    // Whole runs of records at once (typed-array `set` is a memory copy): at most two runs
    // where the ring wraps, and only the last `capacity` records matter.
    const length = batch.length;
    const skip = Math.max(0, length - this.capacity);
    this.total += skip;
    this.next = (this.next + skip) % this.capacity;
    let from = skip;
    while (from < length) {
      const at = this.next;
      const count = Math.min(length - from, this.capacity - at);
      const to = from + count;
      this.codes.set(batch.codes.subarray(from, to), at);
      this.taskIds.set(batch.taskIds.subarray(from, to), at);
      this.times.set(batch.times.subarray(from, to), at);
      this.waitingOn.set(batch.waitingOn.subarray(from, to), at);
      this.threads.fill(batch.thread, at, at + count);
      // Loops, not `fill`: on an array of objects `fill` is a call into the runtime.
      const { executors, objects } = this;
      const executor = batch.executor;
      for (let i = at; i < at + count; i++) {
        executors[i] = executor;
        objects[i] = undefined;
      }
      this.next = at + count === this.capacity ? 0 : at + count;
      this.total += count;
      from = to;
    }
    if (batch.events.length > 0) this.placeObjects(batch, skip);
  }
  /** The kept events, oldest first, as event objects. */
  toArray(): TaskEvent[] {
    const kept = Math.min(this.total, this.capacity);
    const out: TaskEvent[] = [];
    const first = this.total > this.capacity ? this.next : 0;
    for (let n = 0; n < kept; n++) {
      const i = (first + n) % this.capacity;
      const object = this.objects[i];
      const executor = this.executors[i];
      const event =
        object ??
        (executor === undefined
          ? undefined
          : compactTaskEvent(
              this.codes[i] ?? TaskEventCode.Event,
              this.taskIds[i] ?? Number.NaN,
              executor,
              this.threads[i] ?? 0,
              this.times[i] ?? Number.NaN,
              this.waitingOn[i] ?? Number.NaN,
            ));
      if (event !== undefined) out.push(event);
    }
    return out;
  }

  clear(): void {
    this.objects.fill(undefined);
    this.executors.fill(undefined);
    this.next = 0;
    this.total = 0;
  }

  /** Puts the objects of a batch's `Event` records, just copied, into their slots. */
  private placeObjects(batch: TaskEventBatch, skip: number): void {
    const { codes, events, length } = batch;
    let object = 0;
    for (let j = 0; j < length; j++) {
      if (codes[j] !== TaskEventCode.Event) continue;
      const event = events[object++];
      if (j < skip) continue;
      // Record `j` went `length - j` slots before the ring's next slot.
      const i = (((this.next - (length - j)) % this.capacity) + this.capacity) % this.capacity;
      this.objects[i] = event;
      this.executors[i] = undefined;
    }
  }

  /** The slot the next event goes into. */
  private claim(): number {
    const i = this.next;
    this.next = i + 1 === this.capacity ? 0 : i + 1;
    this.total++;
    return i;
  }
}
