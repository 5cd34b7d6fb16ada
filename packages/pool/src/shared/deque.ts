/** Returned by {@link WorkStealingDeque.pop} and {@link WorkStealingDeque.steal} when there is nothing to take. */
export const EMPTY = -1;
/** Returned by {@link WorkStealingDeque.steal} when another thread took the item first: try again. */
export const RETRY = -2;

// top and bottom sit on separate 64-byte lines so thieves bumping `top` do not keep
// invalidating the line the owner writes `bottom` on.
const TOP = 0;
const BOTTOM = 16;
const ITEMS = 32;

/**
 * A bounded Chase–Lev work-stealing deque of non-negative Int32 items (task slots) in a
 * `SharedArrayBuffer`. One thread, the owner, pushes and pops at the bottom (LIFO, so the
 * task it just made runs next, while its data is warm); any thread may steal from the top
 * (FIFO, so thieves take the oldest, typically largest, pieces of work).
 *
 * The algorithm is the one of Chase and Lev (2005) as corrected for weak memory by Lê et al.
 * (2013), on a fixed array. JavaScript's `Atomics` operations are sequentially consistent, so
 * the fences that paper needs are implied by every `Atomics.load`/`store`: the only
 * synchronisation left is the compare-and-swap on `top`, which decides who gets the last
 * item when the owner and a thief race for it. `top` and `bottom` only grow and are
 * compared through 32-bit wrapping differences, so the deque never has to be reset.
 */
export class WorkStealingDeque {
  /** The shared memory the deque lives in; hand it to other threads to {@link WorkStealingDeque.attach}. */
  readonly buffer: SharedArrayBuffer;
  /** How many items fit; a power of two. */
  readonly capacity: number;
  private readonly words: Int32Array;
  private readonly mask: number;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer);
    this.capacity = this.words.length - ITEMS;
    this.mask = this.capacity - 1;
  }

  /** A new, empty deque. `capacity` must be a power of two (at least 2). */
  static create(capacity: number): WorkStealingDeque {
    if (!Number.isSafeInteger(capacity) || capacity < 2 || (capacity & (capacity - 1)) !== 0 || capacity > 1 << 24) {
      throw new RangeError(`deque capacity must be a power of two in [2, 2^24], got ${capacity}`);
    }
    return new WorkStealingDeque(new SharedArrayBuffer((ITEMS + capacity) * Int32Array.BYTES_PER_ELEMENT));
  }

  /** The same deque, seen from another thread. */
  static attach(buffer: SharedArrayBuffer): WorkStealingDeque {
    return new WorkStealingDeque(buffer);
  }

  /** Items in the deque right now (a snapshot: other threads may be taking some). */
  get size(): number {
    const size = (Atomics.load(this.words, BOTTOM) - Atomics.load(this.words, TOP)) | 0;
    return size < 0 ? 0 : size;
  }

  /** Owner only: adds an item at the bottom. False when the deque is full (nothing was added). */
  push(item: number): boolean {
    const words = this.words;
    const b = Atomics.load(words, BOTTOM);
    const t = Atomics.load(words, TOP);
    if (((b - t) | 0) >= this.capacity) return false;
    Atomics.store(words, ITEMS + (b & this.mask), item);
    // Publishing the new bottom after the item makes the item visible to thieves.
    Atomics.store(words, BOTTOM, (b + 1) | 0);
    return true;
  }

  /** Owner only: takes the newest item, or {@link EMPTY}. */
  pop(): number {
    const words = this.words;
    const b = (Atomics.load(words, BOTTOM) - 1) | 0;
    // Claim the bottom slot first; a thief reading `bottom` after this cannot take it
    // unless it is the only item left, and for that one the CAS on `top` decides.
    Atomics.store(words, BOTTOM, b);
    const t = Atomics.load(words, TOP);
    const size = (b - t) | 0;
    if (size < 0) {
      Atomics.store(words, BOTTOM, (b + 1) | 0);
      return EMPTY;
    }
    const item = Atomics.load(words, ITEMS + (b & this.mask));
    if (size > 0) return item;
    // The last item: whoever moves `top` past it owns it.
    const won = Atomics.compareExchange(words, TOP, t, (t + 1) | 0) === t;
    Atomics.store(words, BOTTOM, (b + 1) | 0);
    return won ? item : EMPTY;
  }

  /** Owner only: the newest item, left in place, or {@link EMPTY}. */
  peek(): number {
    const words = this.words;
    const b = (Atomics.load(words, BOTTOM) - 1) | 0;
    if (((b - Atomics.load(words, TOP)) | 0) < 0) return EMPTY;
    return Atomics.load(words, ITEMS + (b & this.mask));
  }

  /**
   * Any thread: takes the oldest item, {@link EMPTY} if there is none, or {@link RETRY} if
   * another thread took it first (the deque may still hold items).
   */
  steal(): number {
    const words = this.words;
    const t = Atomics.load(words, TOP);
    const b = Atomics.load(words, BOTTOM);
    if (((b - t) | 0) <= 0) return EMPTY;
    // Read before the CAS: once `top` moves the owner may reuse the cell.
    const item = Atomics.load(words, ITEMS + (t & this.mask));
    return Atomics.compareExchange(words, TOP, t, (t + 1) | 0) === t ? item : RETRY;
  }

  /**
   * Any thread: steals up to `max` items (at most half of what is there, rounded up) into
   * `out` from index `at`, oldest first, and returns how many it took.
   *
   * A batch is taken as a run of single steals, each with its own CAS on `top`: a single CAS
   * over a range could not stop the owner popping from the same range at the bottom at the
   * same moment (the owner only synchronises on the last item), and one CAS per item is
   * cheap next to a task. The run stops at the first lost race.
   */
  stealHalf(out: Int32Array | number[], at: number, max: number): number {
    const half = (this.size + 1) >> 1;
    const want = Math.min(half, max);
    let taken = 0;
    while (taken < want) {
      const item = this.steal();
      if (item < 0) break;
      out[at + taken] = item;
      taken++;
    }
    return taken;
  }
}
