/**
 * Takes the lock word `words[index]` (0 = free, 1 = held). Critical sections guarded by it
 * are a few loads and stores, so spinning is cheaper than any kernel wait; after a long
 * spin (the holder was descheduled) it yields the time slice with a 0 ms wait.
 */
export function lock(words: Int32Array, index: number): void {
  let spins = 0;
  while (Atomics.compareExchange(words, index, 0, 1) !== 0) {
    if (++spins > 256) {
      // Not a wait for a notify: a short timed wait just gives the CPU to the holder.
      Atomics.wait(words, index, 1, 0.05);
      spins = 0;
    }
  }
}

/** Releases the lock taken by {@link lock}. */
export function unlock(words: Int32Array, index: number): void {
  Atomics.store(words, index, 0);
}
