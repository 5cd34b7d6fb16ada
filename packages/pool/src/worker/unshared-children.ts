import type { TaskReference } from '@spindle/core';
import type { Coroutine, Task } from '@spindle/core/kit';
import type { WorkFinder } from './find-work.js';
import type { SlotTasks } from './slot-tasks.js';
import type { WorkerTask } from './worker-task.js';

/** A child kept in the thread that spawned it, not yet started: what starting it or sharing it later needs. */
export interface UnsharedChild {
  readonly task: WorkerTask;
  readonly parent: Task;
  readonly body: TaskReference<never>;
  readonly args: readonly unknown[];
  readonly name: string | undefined;
}

/** What the children a worker keeps need of that worker. */
export interface KeepingWorker {
  /** Gives `task` its body and takes its first step (the harness's `begin`, then `step`). */
  startHere(task: WorkerTask, body: TaskReference<never>, args: readonly unknown[]): void;
  /**
   * Whether the task being stepped may run a child within its step, now: nobody listens to
   * lifecycle events (their order would change), the joining task is not being stopped
   * (after the worker heard its mailbox), and steps do not nest too deep.
   */
  mayRunWithin(): boolean;
}

/**
 * Children a worker keeps to itself, newest last, unserialised: with its deque holding
 * enough for thieves (or no other worker to steal), a child that would go into a shared
 * slot only to be popped by the same worker a moment later skips the slot, the payload's
 * encoding and decoding, and the deque. The worker starts the newest first (as it pops its
 * deque), and moves the oldest to its deque when other workers look for work.
 *
 * A kept child that its parent joins before it started runs at once, within the parent's
 * step (as a fork–join pool's `join` runs a task still in its own queue): the parent then
 * goes on with the child's outcome in the same step, with no park, no wake and no
 * microtask between them.
 *
 * Only children whose arguments are all primitives stay: what a child receives is a copy of
 * its arguments wherever it runs, and a primitive is its own copy.
 */
export class UnsharedChildren {
  /**
   * Kept children, oldest first, by the position each task holds in `keptAt`. A child taken
   * out of turn (joined, see {@link UnsharedChildren.runJoined}) leaves a hole: nothing moves,
   * so positions stay valid; holes on top are dropped at once, and the whole array when no
   * child is left.
   */
  private readonly items: (UnsharedChild | undefined)[] = [];
  /** Every position below it is a hole. */
  private bottom = 0;
  private count = 0;

  constructor(
    private readonly worker: KeepingWorker,
    private readonly finder: WorkFinder,
    private readonly tasks: SlotTasks,
  ) {}

  /** Children kept and not yet taken (some may have settled unstarted: cancelled). */
  get size(): number {
    return this.count;
  }

  /** Whether every argument is a primitive (see the class). */
  static holds(args: readonly unknown[]): boolean {
    for (const value of args) if (typeof value === 'object' ? value !== null : typeof value === 'function') return false;
    return true;
  }

  keep(child: UnsharedChild): void {
    child.task.keptAt = this.items.length;
    this.items.push(child);
    this.count++;
  }

  /**
   * Starts the newest kept child; false if there is none. First, when the worker's deque is
   * empty and other workers look for work or sleep, gives them the oldest one through it.
   */
  startNewest(): boolean {
    if (this.count === 0) return false;
    if (this.count > 1 && this.finder.queued === 0 && this.finder.othersIdle()) this.shareOldest();
    const child = this.take(this.items.length - 1);
    if (child === undefined) return false;
    // Cancelled before it started: it settled without a body.
    if (!child.task.settled) this.worker.startHere(child.task, child.body, child.args);
    return true;
  }

  /** Moves the oldest kept child into shared memory and onto the worker's deque, where other workers find it. */
  private shareOldest(): void {
    while (this.items[this.bottom] === undefined) this.bottom++;
    const oldest = this.take(this.bottom);
    // A child cancelled before it started has settled: it is dropped.
    if (oldest === undefined || oldest.task.settled) return;
    const { task, parent, body, args, name } = oldest;
    if (!this.tasks.share(task, parent, [body.module, body.export, args, name])) this.keep(oldest);
  }

  /**
   * The task being stepped joins `child`, with `coroutine` its own (an instruction the
   * harness hands over, see `HarnessOptions.instructions`). A child that settled already
   * answers the join at once; one not started, kept here or still the newest entry of this
   * worker's deque, runs first, within this step, when the worker allows (see
   * {@link KeepingWorker.mayRunWithin}). True when the join was
   * answered; false leaves it to the harness, which parks the joining task on the child.
   */
  runJoined(child: WorkerTask, coroutine: Coroutine): boolean {
    if (!child.settled && !this.runNow(child)) return false;
    const outcome = child.observeOutcome();
    if (child.state === 'fulfilled') coroutine.resolve(outcome);
    else coroutine.reject(outcome);
    return true;
  }

  /** Runs `child` now if it has not started here or elsewhere, and the worker allows; whether it settled. */
  private runNow(child: WorkerTask): boolean {
    if ((child.keptAt < 0 && child.slot < 0) || !this.worker.mayRunWithin()) return false;
    // The worker heard its mailbox: the child may have settled meanwhile (cancelled, or done elsewhere).
    if (child.settled) return true;
    if (child.keptAt < 0) {
      // In shared memory: only while it is the newest entry of this worker's deque.
      if (!this.finder.takeBack(child.slot)) return false;
      this.tasks.start(child.slot, -1);
      return child.settled;
    }
    const kept = this.take(child.keptAt);
    if (kept === undefined) return false;
    this.worker.startHere(child, kept.body, kept.args);
    return child.settled;
  }

  /** Takes the child at position `at` out. */
  private take(at: number): UnsharedChild | undefined {
    const items = this.items;
    const child = items[at];
    if (child === undefined) return undefined;
    items[at] = undefined;
    child.task.keptAt = -1;
    if (--this.count === 0) {
      items.length = 0;
      this.bottom = 0;
    } else {
      while (items[items.length - 1] === undefined) items.pop();
    }
    return child;
  }
}
