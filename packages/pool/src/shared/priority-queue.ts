import { lock, unlock } from './spin-lock.js';

// Header words (Int32), one cache line.
const LOCK = 0;
/** Entries queued: written under the lock, read without it. */
const COUNT = 1;
/** Seqlock over TOP_LO/TOP_HI: odd while the lock holder rewrites them. */
const VERSION = 2;
/** The priority of the first entry (-Infinity when empty), as the two halves of a float64. */
const TOP_LO = 3;
const TOP_HI = 4;
/** Entries the queue holds at most (written once, at creation). */
const CAPACITY = 5;
const HEADER = 16;

/** A float64 and its two Int32 halves, for the top priority's seqlock (one per thread). */
const float = new Float64Array(1);
const halves = new Int32Array(float.buffer);

/**
 * The pool's shared queue for tasks of a priority other than 0 that wait outside a deque:
 * a binary max-heap of task slots by (priority, then arrival), in shared memory behind a
 * spin lock. Tasks of priority 0, the common case, keep to the inject queue; this queue is
 * made for every pool but touched only once a task of another priority exists.
 *
 * Workers take one entry at a time (never a batch), so the heap alone decides which of its
 * entries starts next. Before a worker starts anything else it compares that task's
 * priority with {@link PriorityQueue.top}, read without the lock through a seqlock.
 */
export class PriorityQueue {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  private readonly words: Int32Array;
  /** Per heap position: the priority (under the lock only). */
  private readonly priorities: Float64Array;
  /** Per heap position: its arrival number, for FIFO within a priority; the last cell counts arrivals. */
  private readonly arrivals: Float64Array;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    const capacity = (this.capacity = new Int32Array(buffer, 0, HEADER)[CAPACITY] ?? 0);
    this.words = new Int32Array(buffer, 0, HEADER + capacity);
    const floats = floatsAt(capacity);
    this.priorities = new Float64Array(buffer, floats, capacity);
    this.arrivals = new Float64Array(buffer, floats + capacity * 8, capacity + 1);
  }

  /** A new, empty queue for up to `capacity` entries. */
  static create(capacity: number): PriorityQueue {
    const buffer = new SharedArrayBuffer(floatsAt(capacity) + (2 * capacity + 1) * 8);
    new Int32Array(buffer, 0, HEADER)[CAPACITY] = capacity;
    const queue = new PriorityQueue(buffer);
    queue.publishTop();
    return queue;
  }

  /** The same queue, seen from another thread. */
  static attach(buffer: SharedArrayBuffer): PriorityQueue {
    return new PriorityQueue(buffer);
  }

  /** Entries queued right now (a snapshot). */
  get size(): number {
    return Atomics.load(this.words, COUNT);
  }

  /** The priority of the entry that would be taken next, or `-Infinity` when empty (a snapshot). */
  top(): number {
    const words = this.words;
    for (;;) {
      const version = Atomics.load(words, VERSION);
      if ((version & 1) === 1) continue;
      halves[0] = Atomics.load(words, TOP_LO);
      halves[1] = Atomics.load(words, TOP_HI);
      if (Atomics.load(words, VERSION) === version) return float[0] ?? Number.NEGATIVE_INFINITY;
    }
  }

  /** Queues `slots[from..from+count)`, each with its priority (`priorities[i]` for `slots[i]`). */
  pushBatch(slots: ArrayLike<number>, priorities: ArrayLike<number>, from: number, count: number): void {
    if (count <= 0) return;
    const words = this.words;
    lock(words, LOCK);
    let size = Atomics.load(words, COUNT);
    for (let i = from; i < from + count; i++) {
      if (size >= this.capacity) break;
      const arrival = this.arrivals[this.capacity] ?? 0;
      this.arrivals[this.capacity] = arrival + 1;
      this.siftUp(size++, slots[i] ?? 0, priorities[i] ?? 0, arrival);
    }
    Atomics.store(words, COUNT, size);
    this.publishTop();
    unlock(words, LOCK);
  }

  /** Takes the first entry: its slot, or -1 when empty. */
  take(): number {
    const words = this.words;
    if (Atomics.load(words, COUNT) === 0) return -1;
    lock(words, LOCK);
    const size = Atomics.load(words, COUNT);
    if (size === 0) {
      unlock(words, LOCK);
      return -1;
    }
    const first = Atomics.load(words, HEADER);
    const last = size - 1;
    if (last > 0) this.siftDown(Atomics.load(words, HEADER + last), this.priorities[last] ?? 0, this.arrivals[last] ?? 0, last);
    Atomics.store(words, COUNT, last);
    this.publishTop();
    unlock(words, LOCK);
    return first;
  }

  /** Lock held: writes the first entry's priority for readers of {@link PriorityQueue.top}. */
  private publishTop(): void {
    const words = this.words;
    float[0] = Atomics.load(words, COUNT) === 0 ? Number.NEGATIVE_INFINITY : (this.priorities[0] ?? 0);
    const version = Atomics.load(words, VERSION);
    Atomics.store(words, VERSION, version + 1);
    Atomics.store(words, TOP_LO, halves[0] ?? 0);
    Atomics.store(words, TOP_HI, halves[1] ?? 0);
    Atomics.store(words, VERSION, version + 2);
  }

  /** Places an entry at heap position `at` (a new last one) and moves it up to where it belongs. */
  private siftUp(at: number, slot: number, priority: number, arrival: number): void {
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!precedes(priority, arrival, this.priorities[parent] ?? 0, this.arrivals[parent] ?? 0)) break;
      this.move(parent, at);
      at = parent;
    }
    this.put(at, slot, priority, arrival);
  }

  /** Puts an entry in the root's place (the root is gone) and moves it down among the first `size` positions. */
  private siftDown(slot: number, priority: number, arrival: number, size: number): void {
    const priorities = this.priorities;
    const arrivals = this.arrivals;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && precedes(priorities[right] ?? 0, arrivals[right] ?? 0, priorities[child] ?? 0, arrivals[child] ?? 0)) child = right;
      if (!precedes(priorities[child] ?? 0, arrivals[child] ?? 0, priority, arrival)) break;
      this.move(child, at);
      at = child;
    }
    this.put(at, slot, priority, arrival);
  }

  private move(from: number, to: number): void {
    Atomics.store(this.words, HEADER + to, Atomics.load(this.words, HEADER + from));
    this.priorities[to] = this.priorities[from] ?? 0;
    this.arrivals[to] = this.arrivals[from] ?? 0;
  }

  private put(at: number, slot: number, priority: number, arrival: number): void {
    Atomics.store(this.words, HEADER + at, slot);
    this.priorities[at] = priority;
    this.arrivals[at] = arrival;
  }
}

/** Whether entry 1 goes before entry 2: a higher priority, or the same one and an earlier arrival. */
function precedes(priority1: number, arrival1: number, priority2: number, arrival2: number): boolean {
  return priority1 > priority2 || (priority1 === priority2 && arrival1 < arrival2);
}

/** Byte offset of the float64 arrays: after the Int32 words, aligned to 8. */
function floatsAt(capacity: number): number {
  return Math.ceil(((HEADER + capacity) * 4) / 8) * 8;
}
