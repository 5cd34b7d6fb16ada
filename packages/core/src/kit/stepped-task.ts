import type { AsyncResource } from 'node:async_hooks';
import { Task, TaskBit } from './task.js';
import type { TaskOwner, Turn } from './task.js';
import type { SpawnOptions } from '../contract/body.js';
import type { Coroutine } from './coroutine.js';

export type { Turn } from './task.js';

/** {@link SteppedTask}'s flags, above core's own ({@link TaskBit}). */
export const SteppedBit = {
  Reference: TaskBit.Subclass,
  Parked: TaskBit.Subclass << 1,
  InterruptAfterStep: TaskBit.Subclass << 2,
  Held: TaskBit.Subclass << 3,
  /** `turns` holds turns due. */
  Turns: TaskBit.Subclass << 4,
} as const;

/** What sends a task's next piece of work off the drain's short path (see `Harness.runQuietTurn`). */
export const OFF_QUIET_PATH = TaskBit.Finished | SteppedBit.Turns;

/**
 * A task whose body is stepped on this thread: what the {@link Harness} keeps for it.
 * Executors subclass it for the fields of their own policy (a queue position, a slot).
 *
 * Who sets what: the harness sets `state` around each step and `parked` while the task
 * waits; the coroutine is made by {@link Harness.begin} and dropped when the task settles
 * ({@link Harness.release}). An executor reads these fields; it does not write them.
 */
export class SteppedTask<T = unknown> extends Task<T> {
  /** Steps the body; `undefined` before `begin` and after the task settled. */
  declare coroutine: Coroutine | undefined;
  /** The async context the task was spawned in, when the harness keeps one (see {@link Harness}). */
  declare scope: AsyncResource | undefined;
  /** What the task keeps for waiting; made on its first park (many tasks never park). */
  declare waiting: Waiting | undefined;

  // Declared, and assigned in this constructor, rather than initialised where declared:
  // with field initialisers the class runs an initialiser function of its own, and its
  // subclasses' default constructors forward their arguments through a spread; every spawn
  // pays for both.
  constructor(owner: TaskOwner, parent: Task | undefined, options: SpawnOptions | undefined) {
    super(owner, parent, options);
    this.coroutine = undefined;
    this.scope = undefined;
    this.waiting = undefined;
  }

  // `turns` and `spawnedAt` are kept in the task's side object of what few tasks need: a
  // field each would add eight bytes to every task.

  /** `await ctx.yield()` calls waiting for their turn (async bodies only). */
  get turns(): Turn[] | undefined {
    return this.extras?.turns;
  }

  set turns(turns: Turn[] | undefined) {
    if (turns !== undefined) {
      this.more().turns = turns;
      this.bits |= SteppedBit.Turns;
    } else if (this.extras !== undefined) {
      this.extras.turns = undefined;
      this.bits &= ~SteppedBit.Turns;
    }
  }

  /**
   * When it was accepted (`performance.now()`), if its wait before its first step is timed;
   * else `undefined`.
   */
  get spawnedAt(): number | undefined {
    return this.extras?.spawnedAt;
  }

  set spawnedAt(at: number | undefined) {
    if (at !== undefined) this.more().spawnedAt = at;
    else if (this.extras !== undefined) this.extras.spawnedAt = undefined;
  }

  // The flags below share the task's one integer of bits (see `TaskBit`) rather than take a
  // field each.

  /** The body is a task reference, so its result must be structured-cloneable. */
  get reference(): boolean {
    return (this.bits & SteppedBit.Reference) !== 0;
  }

  set reference(value: boolean) {
    this.setBit(SteppedBit.Reference, value);
  }

  /** Parked on a promise-like; `token` tells a current wake-up from a stale one. */
  get parked(): boolean {
    return (this.bits & SteppedBit.Parked) !== 0;
  }

  set parked(value: boolean) {
    this.setBit(SteppedBit.Parked, value);
  }

  /** A step is running and asked to stop its own task: interrupt once the step returns. */
  get interruptAfterStep(): boolean {
    return (this.bits & SteppedBit.InterruptAfterStep) !== 0;
  }

  set interruptAfterStep(value: boolean) {
    this.setBit(SteppedBit.InterruptAfterStep, value);
  }

  /** Waiting for a place under the executor's concurrency limit (not yet scheduled). */
  get held(): boolean {
    return (this.bits & SteppedBit.Held) !== 0;
  }

  set held(value: boolean) {
    this.setBit(SteppedBit.Held, value);
  }

  private setBit(bit: number, value: boolean): void {
    if (value) this.bits |= bit;
    else this.bits &= ~bit;
  }
}

/** A task's waiting state: its wake-up callbacks and the last promise it saw settle. */
export class Waiting {
  /** Wake-up callbacks for the token they were made with, reused for every park. */
  readonly onSettled: (value: unknown) => void;
  readonly onFailed: (error: unknown) => void;
  /** The native promise (or task) the task is parked on, if it may be remembered. */
  awaiting: unknown = undefined;
  /**
   * The last native promise (or task) the task waited for, and how it settled: waiting on
   * it again can be answered within the step, without a microtask (it cannot change).
   */
  lastAwaited: unknown = undefined;
  lastValue: unknown = undefined;
  lastFailed = false;

  constructor(onSettled: (value: unknown) => void, onFailed: (error: unknown) => void) {
    this.onSettled = onSettled;
    this.onFailed = onFailed;
  }
}
