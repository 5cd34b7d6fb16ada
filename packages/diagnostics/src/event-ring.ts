import {
  TaskEventCode,
  TaskEventDecoder,
  compactTaskEvent,
  packedSettleEvent,
  packedSpawnEvent,
  taskEventRecord,
  taskEventRecordCode,
  taskEventRecordTaskId,
  taskEventRecordWeight,
} from '@spindle/core/events';
import type { SettleEvent, TaskEvent } from '@spindle/core';
import type { TaskEventBatch } from '@spindle/core/events';

/** Where a run of records went: they share its executor and thread. */
interface Segment {
  /** Position (counted since the last clear) of the run's first record. */
  readonly from: number;
  readonly executor: string;
  readonly thread: number;
}

/**
 * What an `Event` slot of the ring holds: its event taken apart into the side columns, or
 * (`Object`) the event kept whole, for one whose executor or thread differs from its run's.
 */
const Kind = {
  Object: TaskEventCode.Event,
  // Step events keep core's compact codes, and are rebuilt by `compactTaskEvent`.
  Start: TaskEventCode.Start,
  Resume: TaskEventCode.Resume,
  SuspendYield: TaskEventCode.SuspendYield,
  SuspendWait: TaskEventCode.SuspendWait,
  Wake: TaskEventCode.Wake,
  Spawn: 16,
  Steal: 17,
  Settle: 18,
} as const;

const settledStates: readonly SettleEvent['state'][] = ['fulfilled', 'rejected', 'cancelled'];

/** Records copied one by one rather than through a `subarray` view and `set`. */
const SMALL_COPY = 32;

/**
 * A fixed-size ring of recorded lifecycle events: once full, each new record overwrites the
 * oldest, whose events are counted as dropped. Records are core's packed batch records
 * (see `TaskEventBatch`): a time, one event, or a whole step (its begin and its end).
 * Recording never allocates beyond the capacity (and a few bytes per run of records).
 *
 * Batches are copied a run at a time (a memory copy) and become event objects only when
 * the recording is read. Events that travel as objects (spawn, settle, steal, and events
 * of executors that publish on the per-kind channels) are taken apart into side columns.
 * What the records of a batch share (executor, thread) is kept once per run. So a recorder
 * keeps no object per event alive, and the garbage collector has nothing of it to copy.
 */
export class EventRing {
  readonly capacity: number;
  private readonly records: Float64Array;
  // Side columns, meaningful only in slots whose record is an `Event` record.
  private readonly kinds: Uint8Array;
  private readonly times: Float64Array;
  /** `parentId` of a spawn, `from` of a steal, `waitingOn` of a suspend (NaN when none). */
  private readonly first: Float64Array;
  /** `to` of a steal, the index in `settledStates` of a settle. */
  private readonly second: Float64Array;
  /** `name` of a spawn, `error` of a settle. */
  private readonly names: (string | undefined)[];
  /** `body` of a spawn. */
  private readonly bodies: (string | undefined)[];
  /** Events kept whole (`Kind.Object`). */
  private readonly objects: (TaskEvent | undefined)[];
  /** Runs whose records may still be in the ring, oldest first, from `firstSegment` on. */
  private segments: Segment[] = [];
  private firstSegment = 0;
  private next = 0;
  /** Records pushed since the last clear. */
  private total = 0;
  /** Events pushed since the last clear (batches say how many they hold). */
  private events = 0;
  /** Events of the records kept, counted when asked for (NaN: not counted since the last push). */
  private keptEvents = 0;
  /** The time in effect at the oldest kept record (the last time record overwritten). */
  private oldestTime = Number.NaN;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.records = new Float64Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.times = new Float64Array(capacity);
    this.first = new Float64Array(capacity);
    this.second = new Float64Array(capacity);
    this.names = new Array<string | undefined>(capacity).fill(undefined);
    this.bodies = new Array<string | undefined>(capacity).fill(undefined);
    this.objects = new Array<TaskEvent | undefined>(capacity).fill(undefined);
  }

  /** Events pushed since the last clear, kept or not. */
  get pushed(): number {
    return this.events;
  }

  /**
   * Events overwritten because the ring was full: those pushed less those kept. Counting
   * the kept ones reads the whole ring, once per push at most: pushing counts nothing per
   * record, so that recording a step costs a memory copy.
   */
  get dropped(): number {
    if (Number.isNaN(this.keptEvents)) {
      let kept = 0;
      const count = Math.min(this.total, this.capacity);
      for (let i = 0; i < count; i++) kept += taskEventRecordWeight(this.records[i] ?? Number.NaN);
      this.keptEvents = kept;
    }
    return this.events - this.keptEvents;
  }

  /** Keeps one event. */
  push(event: TaskEvent): void {
    this.addSegment(event.executor, event.thread);
    const i = this.next;
    this.forget(i, i + 1);
    this.next = i + 1 === this.capacity ? 0 : i + 1;
    this.total++;
    this.events++;
    this.keptEvents = Number.NaN;
    this.records[i] = taskEventRecord(event.taskId, TaskEventCode.Event);
    this.store(i, event);
  }

  /** Keeps every record of a batch (copied: the batch's array is reused). */
  pushBatch(batch: TaskEventBatch): void {
    const { length, records } = batch;
    this.events += batch.count;
    this.keptEvents = Number.NaN;
    // Records that the batch's own later records would overwrite: dropped now.
    const skip = Math.max(0, length - this.capacity);
    this.addSegment(batch.executor, batch.thread);
    let from = skip;
    while (from < length) {
      const at = this.next;
      const count = Math.min(length - from, this.capacity - at);
      this.forget(at, at + count);
      if (count > SMALL_COPY) {
        this.records.set(records.subarray(from, from + count), at);
      } else {
        // A drain of a few steps: a loop costs less than the view `subarray` allocates.
        const ring = this.records;
        for (let k = 0; k < count; k++) ring[at + k] = records[from + k] ?? Number.NaN;
      }
      this.next = at + count === this.capacity ? 0 : at + count;
      this.total += count;
      from += count;
    }
    // After the old records overwritten above: the batch's own dropped records are newer,
    // so the last time among them is the one in effect at the oldest record kept.
    this.noteLastTime(records, 0, skip);
    if (batch.events.length > 0 || batch.strings.length > 0) this.placeEvents(batch, skip);
  }

  /** The kept events, oldest first, as event objects. */
  toArray(): TaskEvent[] {
    const kept = Math.min(this.total, this.capacity);
    const out: TaskEvent[] = [];
    const emit = (event: TaskEvent): void => {
      out.push(event);
    };
    const firstPosition = this.total - kept;
    const start = this.total > this.capacity ? this.next : 0;
    const segments = this.segments;
    let s = this.firstSegment;
    let decoder: TaskEventDecoder | undefined = undefined;
    let decoderSegment: Segment | undefined = undefined;
    for (let n = 0; n < kept; n++) {
      const i = (start + n) % this.capacity;
      const position = firstPosition + n;
      while (s + 1 < segments.length && (segments[s + 1]?.from ?? Infinity) <= position) s++;
      const segment = segments[s];
      if (segment === undefined || segment.from > position) continue;
      if (segment !== decoderSegment) {
        decoder?.flush(emit);
        decoder = new TaskEventDecoder(segment.executor, segment.thread);
        if (decoderSegment === undefined) decoder.time = this.oldestTime;
        decoderSegment = segment;
      }
      const record = this.records[i] ?? Number.NaN;
      const code = record >= 0 ? taskEventRecordCode(record) : -1;
      if (code === TaskEventCode.Event) {
        decoder?.flush(emit);
        const event = this.load(i, segment);
        if (event !== undefined) out.push(event);
      } else if (code >= TaskEventCode.Spawn && code <= TaskEventCode.Cancelled && decoder !== undefined) {
        // Packed spawns and settlements: their strings are in this slot's columns.
        decoder.flush(emit);
        const taskId = taskEventRecordTaskId(record);
        if (code === TaskEventCode.Spawn) {
          // A `ParentIs` record right after it (same batch, so same run) names its parent.
          const after = n + 1 < kept ? (this.records[(i + 1) % this.capacity] ?? Number.NaN) : Number.NaN;
          const parentId = after >= 0 && taskEventRecordCode(after) === TaskEventCode.ParentIs ? taskEventRecordTaskId(after) : Number.NaN;
          out.push(packedSpawnEvent(taskId, segment.executor, segment.thread, decoder.time, this.names[i], parentId, this.bodies[i] ?? ''));
        } else if (code === TaskEventCode.Fulfilled || code === TaskEventCode.Rejected || code === TaskEventCode.Cancelled) {
          // A fulfilled task has no error (its slot's column may hold an older record's string).
          out.push(packedSettleEvent(code, taskId, segment.executor, segment.thread, decoder.time, code === TaskEventCode.Fulfilled ? undefined : this.names[i]));
        }
        // A `ParentIs` record was read with its spawn (or its spawn was overwritten).
      } else {
        decoder?.add(record, emit);
      }
    }
    decoder?.flush(emit);
    return out;
  }

  clear(): void {
    this.names.fill(undefined);
    this.bodies.fill(undefined);
    this.objects.fill(undefined);
    this.segments = [];
    this.firstSegment = 0;
    this.next = 0;
    this.total = 0;
    this.events = 0;
    this.keptEvents = 0;
    this.oldestTime = Number.NaN;
  }

  /** Before slots `[from, to)` are overwritten: remembers the last time among the records they hold. */
  private forget(from: number, to: number): void {
    const occupied = this.total + (to - from) - this.capacity;
    if (occupied <= 0) return;
    // Slots fill in order, so the occupied ones are the last of the range.
    this.noteLastTime(this.records, Math.max(from, to - occupied), to);
  }

  /**
   * Remembers the last time among `records[from..to)`, about to be lost, as the time in
   * effect at the oldest record kept. Read backwards: one comparison per record, and it
   * stops at the first time it meets.
   */
  private noteLastTime(records: Float64Array, from: number, to: number): void {
    for (let i = to - 1; i >= from; i--) {
      const record = records[i] ?? 0;
      if (record < 0) {
        this.oldestTime = -record;
        return;
      }
    }
  }

  /** Takes `event` apart into slot `i`'s side columns. */
  private store(i: number, event: TaskEvent): void {
    this.times[i] = event.time;
    this.first[i] = Number.NaN;
    switch (event.kind) {
      case 'spawn':
        this.kinds[i] = Kind.Spawn;
        this.first[i] = event.parentId ?? Number.NaN;
        this.names[i] = event.name;
        this.bodies[i] = event.body;
        return;
      case 'start':
        this.kinds[i] = Kind.Start;
        return;
      case 'resume':
        this.kinds[i] = Kind.Resume;
        return;
      case 'wake':
        this.kinds[i] = Kind.Wake;
        return;
      case 'suspend':
        this.kinds[i] = event.reason === 'yield' ? Kind.SuspendYield : Kind.SuspendWait;
        this.first[i] = event.waitingOn ?? Number.NaN;
        return;
      case 'steal':
        this.kinds[i] = Kind.Steal;
        this.first[i] = event.from;
        this.second[i] = event.to;
        return;
      case 'settle':
        this.kinds[i] = Kind.Settle;
        this.second[i] = settledStates.indexOf(event.state);
        this.names[i] = event.error;
        return;
    }
  }

  /** The event of `Event` slot `i`, whose run is `segment`. */
  private load(i: number, segment: Segment): TaskEvent | undefined {
    const taskId = taskEventRecordTaskId(this.records[i] ?? 0);
    const time = this.times[i] ?? Number.NaN;
    const first = this.first[i] ?? Number.NaN;
    const second = this.second[i] ?? Number.NaN;
    const { executor, thread } = segment;
    switch (this.kinds[i]) {
      case Kind.Spawn:
        return { kind: 'spawn', taskId, executor, thread, time, name: this.names[i], parentId: Number.isNaN(first) ? undefined : first, body: this.bodies[i] ?? '' };
      case Kind.Start:
      case Kind.Resume:
      case Kind.Wake:
      case Kind.SuspendYield:
      case Kind.SuspendWait:
        return compactTaskEvent(this.kinds[i] ?? Kind.Object, taskId, executor, thread, time, first);
      case Kind.Steal:
        return { kind: 'steal', taskId, executor, thread, time, from: first, to: second };
      case Kind.Settle:
        return { kind: 'settle', taskId, executor, thread, time, state: settledStates[second] ?? 'fulfilled', error: this.names[i] };
      default:
        return this.objects[i];
    }
  }

  /**
   * Notes that the records from position `total` on belong to `executor` on `thread`, and
   * forgets runs whose records have all been overwritten.
   */
  private addSegment(executor: string, thread: number): void {
    const segments = this.segments;
    const last = segments[segments.length - 1];
    if (last?.executor !== executor || last.thread !== thread) {
      segments.push({ from: this.total, executor, thread });
    }
    const oldest = this.total - this.capacity;
    while (this.firstSegment + 1 < segments.length && (segments[this.firstSegment + 1]?.from ?? Infinity) <= oldest) this.firstSegment++;
    // Compact now and then, so the array does not grow with runs already overwritten.
    if (this.firstSegment > 64 && this.firstSegment * 2 > segments.length) {
      this.segments = segments.slice(this.firstSegment);
      this.firstSegment = 0;
    }
  }

  /**
   * Takes apart the objects of a batch's `Event` records, just copied, in their slots, and
   * puts the strings of its packed spawns and settlements in the slots of their records.
   */
  private placeEvents(batch: TaskEventBatch, skip: number): void {
    const { records, events, strings, length } = batch;
    const objectCount = events.length;
    const stringCount = strings.length;
    const names = this.names;
    const bodies = this.bodies;
    const capacity = this.capacity;
    // Record `j` went `length - j` slots before the ring's next slot; kept records (j ≥ skip)
    // are at most `capacity` back, so one wrap puts the slot in range.
    const back = this.next - length;
    let object = 0;
    let string = 0;
    for (let j = 0; j < length && (object < objectCount || string < stringCount); j++) {
      const record = records[j] ?? Number.NaN;
      if (!(record >= 0)) continue;
      const code = taskEventRecordCode(record);
      // Only these carry strings or objects (most records are steps): the rest need no slot.
      if (code !== TaskEventCode.Spawn && code !== TaskEventCode.Rejected && code !== TaskEventCode.Cancelled && code !== TaskEventCode.Event) continue;
      let i = back + j;
      if (i < 0) i += capacity;
      if (code === TaskEventCode.Spawn) {
        if (j >= skip) {
          names[i] = strings[string];
          bodies[i] = strings[string + 1];
        }
        string += 2;
        continue;
      }
      if (code === TaskEventCode.Rejected || code === TaskEventCode.Cancelled) {
        if (j >= skip) names[i] = strings[string];
        string++;
        continue;
      }
      // An `Event` record: its object, taken apart.
      const event = events[object++];
      if (j < skip || event === undefined) continue;
      if (event.executor === batch.executor && event.thread === batch.thread) {
        this.store(i, event);
      } else {
        this.kinds[i] = Kind.Object;
        this.objects[i] = event;
      }
    }
  }
}
