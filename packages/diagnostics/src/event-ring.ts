import { TaskEventCode, compactTaskEvent } from '@spindle/core';
import type { TaskEvent, TaskEventBatch } from '@spindle/core';

/** Where a batch's records went: they share its executor and thread. */
interface Segment {
  /** Position (counted since the last clear) of the segment's first record. */
  readonly from: number;
  readonly executor: string;
  readonly thread: number;
}

/**
 * A fixed-size ring of recorded lifecycle events: once full, each new event overwrites the
 * oldest and is counted as dropped. Recording never allocates beyond the capacity (and a
 * few bytes per batch).
 *
 * Step events (start, resume, suspend, wake) are kept as compact records in typed arrays,
 * copied from core's batches, and become event objects only when the recording is read:
 * a recorder on the hot path then costs a memory copy per batch instead of an object per
 * event for the garbage collector. What the records of a batch share (executor, thread)
 * is kept once per batch. Other events keep their objects.
 */
export class EventRing {
  readonly capacity: number;
  private readonly codes: Uint8Array;
  private readonly taskIds: Float64Array;
  private readonly times: Float64Array;
  private readonly waitingOn: Float64Array;
  /** The objects of `Event` records; a slot whose code is not `Event` holds nothing meaningful. */
  private readonly objects: (TaskEvent | undefined)[];
  /** Batches whose records may still be in the ring, oldest first, from `firstSegment` on. */
  private segments: Segment[] = [];
  private firstSegment = 0;
  private next = 0;
  private total = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.codes = new Uint8Array(capacity);
    this.taskIds = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.waitingOn = new Float64Array(capacity);
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
    const i = this.next;
    this.next = i + 1 === this.capacity ? 0 : i + 1;
    this.total++;
    this.codes[i] = TaskEventCode.Event;
    this.objects[i] = event;
  }

  /** Keeps every event of a batch (copied: the batch's arrays are reused). */
  pushBatch(batch: TaskEventBatch): void {
    // Whole runs of records at once (typed-array `set` is a memory copy): at most two runs
    // where the ring wraps, and only the last `capacity` records matter.
    const length = batch.length;
    const skip = Math.max(0, length - this.capacity);
    this.total += skip;
    this.next = (this.next + skip) % this.capacity;
    this.addSegment(batch.executor, batch.thread);
    let from = skip;
    while (from < length) {
      const at = this.next;
      const count = Math.min(length - from, this.capacity - at);
      const to = from + count;
      this.codes.set(batch.codes.subarray(from, to), at);
      this.taskIds.set(batch.taskIds.subarray(from, to), at);
      this.times.set(batch.times.subarray(from, to), at);
      this.waitingOn.set(batch.waitingOn.subarray(from, to), at);
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
    const firstPosition = this.total - kept;
    const start = this.total > this.capacity ? this.next : 0;
    const segments = this.segments;
    let s = this.firstSegment;
    for (let n = 0; n < kept; n++) {
      const i = (start + n) % this.capacity;
      const code = this.codes[i] ?? TaskEventCode.Event;
      if (code === TaskEventCode.Event) {
        const object = this.objects[i];
        if (object !== undefined) out.push(object);
        continue;
      }
      const position = firstPosition + n;
      while (s + 1 < segments.length && (segments[s + 1]?.from ?? Infinity) <= position) s++;
      const segment = segments[s];
      if (segment === undefined || segment.from > position) continue;
      const event = compactTaskEvent(code, this.taskIds[i] ?? Number.NaN, segment.executor, segment.thread, this.times[i] ?? Number.NaN, this.waitingOn[i] ?? Number.NaN);
      if (event !== undefined) out.push(event);
    }
    return out;
  }

  clear(): void {
    this.objects.fill(undefined);
    this.segments = [];
    this.firstSegment = 0;
    this.next = 0;
    this.total = 0;
  }

  /**
   * Notes that the records from position `total` on belong to `executor` on `thread`, and
   * forgets segments whose records have all been overwritten.
   */
  private addSegment(executor: string, thread: number): void {
    const segments = this.segments;
    const last = segments[segments.length - 1];
    if (last?.executor !== executor || last.thread !== thread) {
      segments.push({ from: this.total, executor, thread });
    }
    const oldest = this.total - this.capacity;
    while (this.firstSegment + 1 < segments.length && (segments[this.firstSegment + 1]?.from ?? Infinity) <= oldest) this.firstSegment++;
    // Compact now and then, so the array does not grow with batches already overwritten.
    if (this.firstSegment > 64 && this.firstSegment * 2 > segments.length) {
      this.segments = segments.slice(this.firstSegment);
      this.firstSegment = 0;
    }
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
    }
  }
}
