/**
 * A fixed-size ring of recorded items: once full, each new item overwrites the oldest and
 * is counted as dropped. Recording never allocates beyond the capacity.
 */
export class EventRing<T> {
  readonly capacity: number;
  private readonly slots: (T | undefined)[];
  private next = 0;
  private total = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Items pushed since the last clear, kept or not. */
  get pushed(): number {
    return this.total;
  }

  /** Items overwritten because the ring was full. */
  get dropped(): number {
    return Math.max(0, this.total - this.capacity);
  }

  push(item: T): void {
    this.slots[this.next] = item;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    this.total++;
  }

  /** The kept items, oldest first. */
  toArray(): T[] {
    const kept = Math.min(this.total, this.capacity);
    const out: T[] = [];
    const first = this.total > this.capacity ? this.next : 0;
    for (let i = 0; i < kept; i++) {
      const item = this.slots[(first + i) % this.capacity];
      if (item !== undefined) out.push(item);
    }
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.next = 0;
    this.total = 0;
  }
}
