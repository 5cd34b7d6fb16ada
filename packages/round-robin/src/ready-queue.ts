import type { Lane } from '@spindle/core/kit';

/** What the {@link SlotTable} keeps on each item it holds. */
export interface Slotted {
  /** Index in the slot table, given by {@link SlotTable.admit}. */
  slot: number;
  /**
   * Entries in the rings that name this item, plus {@link RETIRED} once
   * {@link SlotTable.retire} was called: a retired item's slot is freed once no entry names
   * it. One field for both, as a program may hold a hundred thousand tasks.
   */
  entries: number;
}

/** Added to {@link Slotted.entries} by {@link SlotTable.retire}: above any count of entries. */
const RETIRED = 2 ** 30;

/**
 * The items the round-robin's ready queue can name: a slot number each, given when an item
 * is admitted and freed when it is retired and no ring entry names it any more.
 *
 * Why slots: every step puts a task back at the end of the queue, and the queue lives long
 * while tasks are short-lived, so each store of a task into it would run V8's generational
 * write barrier (measured at about 2 ns, most of a hand-written loop's whole step). Storing
 * a small integer into an `Int32Array` needs no barrier.
 */
export class SlotTable<T extends Slotted> {
  /** @internal */
  readonly items: (T | undefined)[] = [];
  private readonly free: number[] = [];

  /** Gives `item` a slot; call once, before it is first pushed. */
  admit(item: T): void {
    const slot = this.free.pop() ?? this.items.length;
    item.slot = slot;
    item.entries = 0;
    this.items[slot] = item;
  }

  /** The item will not be pushed again: free its slot as soon as no entry names it. */
  retire(item: T): void {
    if (item.entries >= RETIRED) return;
    item.entries += RETIRED;
    if (item.entries === RETIRED) this.release(item);
  }

  /** @internal An entry naming `item` was taken out. */
  taken(item: T): void {
    if (--item.entries === RETIRED) this.release(item);
  }

  private release(item: T): void {
    // Drop the reference so a settled task can be collected while the table lives on.
    this.items[item.slot] = undefined;
    this.free.push(item.slot);
  }
}

/**
 * One FIFO of a {@link SlotTable}'s items: slot numbers in an `Int32Array` ring. An item
 * may be queued more than once, and may be retired while queued: its slot is reused only
 * after the last entry naming it has been taken out, so an entry can never name a later
 * item by mistake.
 */
export class ReadyQueue<T extends Slotted> implements Lane<T> {
  private ring: Int32Array;
  private head = 0;
  private count = 0;
  private mask: number;
  private readonly table: SlotTable<T>;

  /** @param capacity initial capacity of the ring, rounded up to a power of two */
  constructor(table: SlotTable<T>, capacity = 64) {
    this.table = table;
    let size = 2;
    while (size < capacity) size *= 2;
    this.ring = new Int32Array(size);
    this.mask = size - 1;
  }

  /** Entries in the queue (an item queued twice counts twice). */
  get size(): number {
    return this.count;
  }

  /**
   * Appends `item` at the back. A retired item is not queued: its slot may already name
   * another item, and the executor retires a task only once it has settled, when a turn
   * would be skipped anyway (a late wake-up of a task that settled meanwhile, say).
   */
  push(item: T): void {
    if (item.entries >= RETIRED) return;
    if (this.count > this.mask) this.grow();
    this.ring[(this.head + this.count) & this.mask] = item.slot;
    this.count++;
    item.entries++;
  }

  /** Removes and returns the front item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.table.items[this.ring[this.head] ?? -1];
    this.head = (this.head + 1) & this.mask;
    this.count--;
    if (item !== undefined) this.table.taken(item);
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.table.items[this.ring[this.head] ?? -1];
  }

  private grow(): void {
    const old = this.ring;
    const size = old.length * 2;
    const next = new Int32Array(size);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & this.mask] ?? 0;
    this.ring = next;
    this.head = 0;
    this.mask = size - 1;
  }
}
