const HEAD = 0;
const TAIL = 16;
const ITEMS = 32;

/**
 * A worker's inbox in shared memory: any thread posts, only the owning worker reads. Posts
 * are lock-free (a fetch-add reserves a cell, then the item is stored as `item + 1`, so a
 * 0 cell means "reserved, not written yet"). It is sized by the pool so that it cannot
 * overflow: every entry refers to a task slot, and each slot posts a bounded number of
 * entries (one completion, one cancellation request) before it is reused.
 */
export class Mailbox {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly mask: number;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer);
    this.mask = this.words.length - ITEMS - 1;
  }

  /** A new mailbox; `capacity` is a power of two. */
  static create(capacity: number): Mailbox {
    return new Mailbox(new SharedArrayBuffer((ITEMS + capacity) * Int32Array.BYTES_PER_ELEMENT));
  }

  /** The same mailbox, seen from another thread. */
  static attach(buffer: SharedArrayBuffer): Mailbox {
    return new Mailbox(buffer);
  }

  /** True when something was posted and not yet read. */
  get pending(): boolean {
    return Atomics.load(this.words, TAIL) !== Atomics.load(this.words, HEAD);
  }

  /** Any thread: posts a non-negative item. */
  post(item: number): void {
    const at = Atomics.add(this.words, TAIL, 1);
    Atomics.store(this.words, ITEMS + (at & this.mask), item + 1);
  }

  /**
   * Owner only: hands every item posted so far to `receive`, oldest first. Stops early at a
   * cell that is reserved but not yet written; the poster stores it a moment later and the
   * next call reads it.
   */
  drain(receive: (item: number) => void): number {
    const words = this.words;
    let head = Atomics.load(words, HEAD);
    const tail = Atomics.load(words, TAIL);
    let read = 0;
    while (head !== tail) {
      const cell = ITEMS + (head & this.mask);
      const value = Atomics.load(words, cell);
      if (value === 0) break;
      Atomics.store(words, cell, 0);
      head = (head + 1) | 0;
      Atomics.store(words, HEAD, head);
      read++;
      receive(value - 1);
    }
    return read;
  }
}
