import { lock, unlock } from './spin-lock.js';

const LOCK = 0;
const HEAD = 1;
const TAIL = 2;
const ITEMS = 16;

/**
 * The pool's global FIFO for work that enters from outside (the main thread) or spills
 * from a full deque. A bounded ring of Int32 items in shared memory behind a spin lock:
 * every producer and consumer moves items in batches, one lock round trip per batch, so
 * the lock is taken once per many tasks rather than once per task.
 */
export class InjectQueue {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  private readonly words: Int32Array;
  private readonly mask: number;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer);
    this.capacity = this.words.length - ITEMS;
    this.mask = this.capacity - 1;
  }

  /** A new queue; `capacity` is a power of two. */
  static create(capacity: number): InjectQueue {
    return new InjectQueue(new SharedArrayBuffer((ITEMS + capacity) * Int32Array.BYTES_PER_ELEMENT));
  }

  /** The same queue, seen from another thread. */
  static attach(buffer: SharedArrayBuffer): InjectQueue {
    return new InjectQueue(buffer);
  }

  /** Items queued right now (a snapshot). */
  get size(): number {
    return (Atomics.load(this.words, TAIL) - Atomics.load(this.words, HEAD)) | 0;
  }

  /** Appends `items[from..from+count)` as far as there is room; returns how many went in. */
  pushBatch(items: ArrayLike<number>, from: number, count: number): number {
    const words = this.words;
    lock(words, LOCK);
    const head = Atomics.load(words, HEAD);
    const tail = Atomics.load(words, TAIL);
    const n = Math.min(count, this.capacity - ((tail - head) | 0));
    for (let i = 0; i < n; i++) Atomics.store(words, ITEMS + ((tail + i) & this.mask), items[from + i] ?? 0);
    Atomics.store(words, TAIL, (tail + n) | 0);
    unlock(words, LOCK);
    return n;
  }

  /** Takes up to `max` of the oldest items into `out` from index `at`; returns how many. */
  takeBatch(out: Int32Array | number[], at: number, max: number): number {
    const words = this.words;
    // Skip the lock when it is plainly empty: workers look here often.
    if (Atomics.load(words, TAIL) === Atomics.load(words, HEAD)) return 0;
    lock(words, LOCK);
    const head = Atomics.load(words, HEAD);
    const n = Math.min(max, (Atomics.load(words, TAIL) - head) | 0);
    for (let i = 0; i < n; i++) out[at + i] = Atomics.load(words, ITEMS + ((head + i) & this.mask));
    Atomics.store(words, HEAD, (head + n) | 0);
    unlock(words, LOCK);
    return n;
  }
}
