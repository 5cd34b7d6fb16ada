import { lock, unlock } from './spin-lock.js';

const LOCK = 0;
const COUNT = 1;
const ITEMS = 2;
/** Slots moved between a thread's cache and the shared free stack at a time. */
const batch = 32;

/**
 * Hands out task slots (indices into the shared payload arena and metadata) from a shared
 * free stack behind a spin lock. Each thread keeps a small cache so that the lock is taken
 * once per {@link batch} allocations or frees, not once per task.
 */
export class SlotAllocator {
  private readonly words: Int32Array;
  private readonly cache: number[] = [];

  constructor(words: Int32Array) {
    this.words = words;
  }

  /** A free slot, or -1 when every slot is in use. */
  alloc(): number {
    const cached = this.cache.pop();
    if (cached !== undefined) return cached;
    const words = this.words;
    lock(words, LOCK);
    const count = Atomics.load(words, COUNT);
    const n = Math.min(batch, count);
    for (let i = 0; i < n; i++) this.cache.push(Atomics.load(words, ITEMS + count - 1 - i));
    Atomics.store(words, COUNT, count - n);
    unlock(words, LOCK);
    return this.cache.pop() ?? -1;
  }

  /** Returns a slot. */
  free(slot: number): void {
    this.cache.push(slot);
    if (this.cache.length >= batch * 2) this.flush(batch);
  }

  /** Gives cached slots back to the shared stack (all, or `keep` fewer). */
  flush(keep = 0): void {
    const n = this.cache.length - keep;
    if (n <= 0) return;
    const words = this.words;
    lock(words, LOCK);
    const count = Atomics.load(words, COUNT);
    for (let i = 0; i < n; i++) Atomics.store(words, ITEMS + count + i, this.cache.pop() ?? 0);
    Atomics.store(words, COUNT, count + n);
    unlock(words, LOCK);
  }
}
