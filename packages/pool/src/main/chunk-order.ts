/** Where a sequenced chunk stands (see {@link ChunkOrder.turn}). */
export const Turn = {
  /** Its number was passed (skipped after a crash): hand it on now, out of order. */
  Late: -1,
  /** Its turn: hand it on now, then call {@link ChunkOrder.passed}. */
  Now: 0,
  /** Chunks before it have not come yet: {@link ChunkOrder.hold} it. */
  Early: 1,
} as const;
export type TurnValue = (typeof Turn)[keyof typeof Turn];

/**
 * The order of workers' event chunks by their sequence numbers, whichever worker sent
 * them: a chunk that comes early waits for those before it, one that comes late (its
 * number was skipped after a crash) is handed on at once.
 *
 * Numbers come from a 32-bit counter in shared memory, taken with `Atomics.add`, so they
 * wrap (a busy pool with events on can take billions in days). Workers send them unsigned
 * (`>>> 0`), and they are compared as serial numbers: `a` comes before `b` when `b - a`,
 * wrapped to 32 bits, is positive. That holds while fewer than 2^31 chunks are in flight.
 */
export class ChunkOrder<C> {
  /** Chunks that came before their turn, by number. */
  private readonly held = new Map<number, C>();
  private next: number;

  /** @param first the number of the first chunk (the counter's value when the pool started) */
  constructor(first = 0) {
    this.next = first >>> 0;
  }

  /** The number whose chunk is due next. */
  get expected(): number {
    return this.next;
  }

  /** Where chunk `seq` (an unsigned 32-bit number) stands. */
  turn(seq: number): TurnValue {
    const ahead = (seq - this.next) | 0;
    return ahead < 0 ? Turn.Late : ahead === 0 ? Turn.Now : Turn.Early;
  }

  /** The chunk due was handed on. */
  passed(): void {
    this.next = (this.next + 1) >>> 0;
  }

  /** Keeps an early chunk until its turn. */
  hold(seq: number, chunk: C): void {
    this.held.set(seq, chunk);
  }

  /** Takes out the held chunk whose turn it is now, if there is one (and passes it). */
  takeDue(): C | undefined {
    if (this.held.size === 0) return undefined;
    const chunk = this.held.get(this.next);
    if (chunk === undefined) return undefined;
    this.held.delete(this.next);
    this.passed();
    return chunk;
  }

  /**
   * Numbers before `current` (the counter's value now) will never come: their worker died
   * before it sent them. Returns every held chunk, in order, and lets every number taken
   * so far pass as late.
   */
  skipTo(current: number): C[] {
    const base = this.next;
    const order = [...this.held.keys()].sort((a, b) => ((a - base) | 0) - ((b - base) | 0));
    const now = current >>> 0;
    if (((now - base) | 0) > 0) this.next = now;
    const chunks: C[] = [];
    for (const seq of order) {
      const chunk = this.held.get(seq);
      if (chunk !== undefined) chunks.push(chunk);
    }
    this.held.clear();
    return chunks;
  }
}
