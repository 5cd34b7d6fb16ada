import { EMPTY } from '../shared/deque.js';
import type { WorkStealingDeque } from '../shared/deque.js';
import { Control, WorkerWord } from '../shared/shared-state.js';
import type { SharedState } from '../shared/shared-state.js';
import type { EventWriter } from './event-writer.js';

/** What finding work needs from the worker that runs it. */
export interface WorkRunner {
  /** Claims the task in `slot`, taken from a shared queue, and starts it (`from`: the worker it was stolen from, or -1). */
  startSlot(slot: number, from: number): void;
  /** Whether lifecycle events are forwarded to the main thread. */
  readonly forwarding: boolean;
}

/** Times a task about to start may give way to a more urgent one (each gives way to a higher priority, so this is never reached in practice). */
const MOST_REDIRECTS = 4;

/**
 * One worker's way into the shared queues: its own deque (it pushes and pops at the
 * bottom), the inject queue (it takes batches), the priority queue (one entry at a time)
 * and the other workers' deques (it steals about half of one). Every item is a task slot.
 *
 * Priorities: once any task of a priority other than 0 exists in the pool, every task this
 * worker is about to start, from wherever it came, first meets {@link WorkFinder.urgency}:
 * if the priority queue's first entry, or the inject queue's tasks (all of priority 0),
 * outrank it, it goes back onto this worker's deque and the more urgent task starts instead.
 * Until then the check is one atomic load.
 */
export class WorkFinder {
  private readonly deque: WorkStealingDeque;
  private readonly scratch = new Int32Array(64);

  constructor(
    private readonly shared: SharedState,
    private readonly index: number,
    private readonly workers: number,
    private readonly out: EventWriter,
    private readonly runner: WorkRunner,
  ) {
    const deque = shared.deques[index];
    if (deque === undefined) throw new RangeError(`no deque for worker ${index}`);
    this.deque = deque;
  }

  /**
   * Pushes a slot onto this worker's deque. A full deque first moves its older half to the
   * shared queues in one batch, where any worker finds it.
   */
  push(slot: number): boolean {
    const deque = this.deque;
    if (deque.push(slot)) return true;
    const scratch = this.scratch;
    const n = deque.stealHalf(scratch, 0, scratch.length);
    this.shared.requeue(scratch, 0, n);
    return deque.push(slot);
  }

  /** Takes `slot` back from this worker's deque if it is the newest entry there (no thief took it); whether it did. */
  takeBack(slot: number): boolean {
    const deque = this.deque;
    // Only thieves take from the deque meanwhile, from the other end: `pop` returns the entry
    // looked at, or EMPTY if a thief took that one as the last.
    return slot >= 0 && deque.peek() === slot && deque.pop() === slot;
  }

  /** Tasks in this worker's deque (a snapshot). */
  get queued(): number {
    return this.deque.size;
  }

  /** True when the pool has no other worker that could steal from this one. */
  get alone(): boolean {
    return this.workers === 1;
  }

  /** Whether another worker sleeps or looks for work. */
  othersIdle(): boolean {
    const control = this.shared.control;
    return Atomics.load(control, Control.sleepers) > 0 || Atomics.load(control, Control.searching) > 0;
  }

  /** Work was published on this worker's deque: if workers sleep and none is looking for work, wake one. */
  announce(): void {
    const control = this.shared.control;
    if (Atomics.load(control, Control.sleepers) > 0 && Atomics.load(control, Control.searching) === 0) {
      this.shared.wake(1, this.index + 1, this.workers);
    }
  }

  /** Finds a task and starts it: this worker's deque, the inject queue, other deques, then the priority queue. */
  startNext(): boolean {
    return this.popOwn() || this.takeInject() || this.steal() || this.takePriority(0);
  }

  /**
   * The priority of the most urgent task waiting in the inject or priority queue (the
   * inject queue holds priority 0 only), or `-Infinity` if none does or if no task of
   * another priority was ever spawned (then every task is of priority 0, and none is more
   * urgent than another).
   */
  urgency(): number {
    const shared = this.shared;
    if (!shared.prioritized) return Number.NEGATIVE_INFINITY;
    const top = shared.priority.size > 0 ? shared.priority.top() : Number.NEGATIVE_INFINITY;
    return shared.inject.size > 0 && top < 0 ? 0 : top;
  }

  /** Starts the most urgent task of the inject and priority queues (see {@link WorkFinder.urgency}); false if there was none after all. */
  startUrgent(redirects = 0): boolean {
    const shared = this.shared;
    const top = shared.priority.size > 0 ? shared.priority.top() : Number.NEGATIVE_INFINITY;
    if (shared.inject.size > 0 && top < 0) return this.takeInject(redirects);
    return this.takePriority(redirects);
  }

  /** Starts the newest task of this worker's own deque; false if it is empty. */
  popOwn(): boolean {
    const slot = this.deque.pop();
    if (slot === EMPTY) return false;
    this.begin(slot, -1, 0);
    return true;
  }

  /** Takes a batch from the inject queue: starts the first, keeps the rest on this deque. */
  takeInject(redirects = 0): boolean {
    const shared = this.shared;
    const size = shared.inject.size;
    if (size <= 0) return false;
    const scratch = this.scratch;
    const want = Math.max(1, Math.min(scratch.length, Math.ceil(size / this.workers)));
    const n = shared.inject.takeBatch(scratch, 0, want);
    if (n === 0) return false;
    this.out.boundary();
    Atomics.add(shared.control, shared.word(this.index, WorkerWord.injectTakes), 1);
    shared.madeRoom();
    this.keep(1, n);
    if (n > 1 && Atomics.load(shared.control, Control.sleepers) > 0) shared.wake(1, this.index + 1, this.workers);
    this.begin(scratch[0] ?? 0, -1, redirects);
    return true;
  }

  /** Takes the priority queue's first entry and starts it; false if the queue is empty. */
  takePriority(redirects: number): boolean {
    const shared = this.shared;
    const slot = shared.priority.take();
    if (slot < 0) return false;
    this.out.boundary();
    shared.madeRoom();
    this.begin(slot, -1, redirects);
    return true;
  }

  /**
   * Looks for work in other workers' deques (at most about half the workers search at
   * once, so that idle workers do not all hammer the same victims). Steals about half of
   * the first victim with work; starts one, keeps the rest.
   */
  steal(): boolean {
    const shared = this.shared;
    const control = shared.control;
    const limit = Math.max(1, this.workers >> 1);
    for (;;) {
      const searching = Atomics.load(control, Control.searching);
      if (searching >= limit) return false;
      if (Atomics.compareExchange(control, Control.searching, searching, searching + 1) === searching) break;
    }
    const scratch = this.scratch;
    let taken = 0;
    let victim = -1;
    const start = (Math.random() * this.workers) | 0;
    for (let i = 0; i < this.workers && taken === 0; i++) {
      victim = (start + i) % this.workers;
      if (victim === this.index) continue;
      const deque = shared.deques[victim];
      if (deque === undefined || deque.size === 0) continue;
      taken = deque.stealHalf(scratch, 0, scratch.length >> 1);
    }
    const last = Atomics.sub(control, Control.searching, 1) === 1;
    if (taken === 0) return false;
    this.out.boundary();
    Atomics.add(control, shared.word(this.index, WorkerWord.steals), 1);
    // The last searcher found work: there may be more, so get another worker looking.
    if (last && Atomics.load(control, Control.sleepers) > 0) shared.wake(1, this.index + 1, this.workers);
    if (this.runner.forwarding) {
      for (let i = 1; i < taken; i++) this.out.steal(shared.slots.taskId(scratch[i] ?? 0), victim, this.index);
    }
    this.keep(1, taken);
    this.begin(scratch[0] ?? 0, victim, 0);
    return true;
  }

  /** Whether any shared queue, or this worker's mailbox, holds something for it to do. */
  visible(): boolean {
    const shared = this.shared;
    if (shared.mailboxes[this.index]?.pending === true) return true;
    if (shared.inject.size > 0 || shared.priority.size > 0) return true;
    for (const deque of shared.deques) if (deque.size > 0) return true;
    return false;
  }

  /**
   * Starts the task in `slot` (taken from a shared queue; `from`: the worker it was stolen
   * from, or -1), unless a more urgent task waits in the inject or priority queue: then
   * `slot` goes onto this worker's deque and that task starts instead.
   */
  private begin(slot: number, from: number, redirects: number): void {
    const shared = this.shared;
    if (redirects < MOST_REDIRECTS && shared.prioritized && this.urgency() > shared.slots.priority(slot)) {
      if (from >= 0 && this.runner.forwarding) this.out.steal(shared.slots.taskId(slot), from, this.index);
      this.keepOne(slot);
      // Taken meanwhile by another worker: `slot` waits on this deque for the next round.
      this.startUrgent(redirects + 1);
      return;
    }
    this.runner.startSlot(slot, from);
  }

  /** Pushes `scratch[from..n)` onto this worker's deque (spilling to the shared queues if it is full). */
  private keep(from: number, n: number): void {
    // Pushed newest-last so that the owner pops them in the order they were queued.
    for (let i = n - 1; i >= from; i--) this.keepOne(this.scratch[i] ?? 0);
  }

  private keepOne(slot: number): void {
    if (!this.deque.push(slot)) this.shared.requeue([slot], 0, 1);
  }
}
