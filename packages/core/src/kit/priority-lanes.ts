/** A FIFO that {@link PriorityLanes} are made of. */
export interface Lane<T> {
  push(item: T): void;
  shift(): T | undefined;
  /** The item `shift` would take, left in place. */
  peek(): T | undefined;
  readonly size: number;
}

/** Empty lanes kept before the unused ones are dropped (priorities can be any number). */
const MOST_LANES = 16;

/**
 * A ready queue by priority: one FIFO lane per priority in use, and a task of a higher
 * priority is always taken before one of a lower priority. Within one priority the lane is
 * FIFO, so an executor's fairness bound holds among tasks of the same priority.
 *
 * The rule is strict: a lower priority is served only while no higher-priority task is
 * ready, so a higher-priority task that yields for ever starves lower ones (one that parks
 * lets them run). Tasks of the default priority, 0, go through one lane with one
 * comparison more than a plain FIFO.
 */
export class PriorityLanes<T extends { readonly priority: number }> {
  private readonly make: () => Lane<T>;
  /** The lane of priority 0. */
  private readonly normal: Lane<T>;
  /** Every lane, by priority, highest first. */
  private lanes: Lane<T>[];
  private priorities: number[];

  /** @param make makes an empty lane (the executor's FIFO of choice) */
  constructor(make: () => Lane<T>) {
    this.make = make;
    this.normal = make();
    this.lanes = [this.normal];
    this.priorities = [0];
  }

  /** Entries in all lanes. */
  get size(): number {
    return this.lanes.length === 1 ? this.normal.size : this.sizeOfAll();
  }

  /** Appends `item` at the back of its priority's lane. */
  push(item: T): void {
    if (item.priority === 0) this.normal.push(item);
    else this.lane(item.priority).push(item);
  }

  /** Takes the front of the highest-priority lane that is not empty, or `undefined`. */
  shift(): T | undefined {
    return this.lanes.length === 1 ? this.normal.shift() : this.shiftHighest();
  }

  /** The item {@link PriorityLanes.shift} would take, left in place. */
  peek(): T | undefined {
    return this.lanes.length === 1 ? this.normal.peek() : this.peekHighest();
  }

  /** True if a ready entry has a higher priority than `priority`: a task of that priority should not step before it. */
  outranks(priority: number): boolean {
    if (this.lanes.length === 1) return priority < 0 && this.normal.size > 0;
    return this.outranksIn(priority);
  }

  // The paths with more than one lane are methods of their own: `shift`, `push` and `size`
  // run on every step, and their callers inline them only while they stay this small (V8's
  // budget of inlined bytecode; a loop over the lanes took most of it).

  private sizeOfAll(): number {
    let size = 0;
    for (const lane of this.lanes) size += lane.size;
    return size;
  }

  private peekHighest(): T | undefined {
    for (const lane of this.lanes) {
      if (lane.size > 0) return lane.peek();
    }
    return undefined;
  }

  private shiftHighest(): T | undefined {
    for (const lane of this.lanes) {
      if (lane.size > 0) return lane.shift();
    }
    return undefined;
  }

  private outranksIn(priority: number): boolean {
    const lanes = this.lanes;
    for (let i = 0; i < lanes.length; i++) {
      if ((this.priorities[i] ?? 0) <= priority) return false;
      if ((lanes[i]?.size ?? 0) > 0) return true;
    }
    return false;
  }

  private lane(priority: number): Lane<T> {
    const priorities = this.priorities;
    let at = 0;
    while (at < priorities.length && (priorities[at] ?? 0) > priority) at++;
    if (priorities[at] === priority) {
      const lane = this.lanes[at];
      if (lane !== undefined) return lane;
    }
    if (priorities.length >= MOST_LANES) this.dropEmpty();
    const lane = this.make();
    at = 0;
    while (at < this.priorities.length && (this.priorities[at] ?? 0) > priority) at++;
    this.lanes.splice(at, 0, lane);
    this.priorities.splice(at, 0, priority);
    return lane;
  }

  /** Drops empty lanes, but never the lane of priority 0. */
  private dropEmpty(): void {
    const lanes: Lane<T>[] = [];
    const priorities: number[] = [];
    this.lanes.forEach((lane, i) => {
      const priority = this.priorities[i] ?? 0;
      if (lane.size === 0 && priority !== 0) return;
      lanes.push(lane);
      priorities.push(priority);
    });
    this.lanes = lanes;
    this.priorities = priorities;
  }
}
