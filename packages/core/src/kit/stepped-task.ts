import type { AsyncResource } from 'node:async_hooks';
import { Task, TaskBit } from './task.js';
import type { TaskOwner } from './task.js';
import type { SpawnOptions } from '../contract/body.js';
import { awaitingBody } from './coroutine.js';
import type { Coroutine } from './coroutine.js';
import { assertCloneable } from './cloneable.js';


/** {@link SteppedTask}'s flags, above core's own ({@link TaskBit}). */
export const SteppedBit = {
  Reference: TaskBit.Subclass,
  Parked: TaskBit.Subclass << 1,
  InterruptAfterStep: TaskBit.Subclass << 2,
  Held: TaskBit.Subclass << 3,
  /** Turns of `await ctx.yield()` are due (see `SteppedTask.addTurn`). */
  Turns: TaskBit.Subclass << 4,
  /** The promise remembered in `waiting.awaited` was rejected (see {@link Waiting}). */
  LastFailed: TaskBit.Subclass << 5,
  /** Parked on a task handle, whose wake-up runs in the context of whatever settled it (see `Harness.wakeParked`). */
  WaitsOnTask: TaskBit.Subclass << 6,
} as const;

/**
 * What sends a task's next piece of work off the drain's short path (see
 * `Harness.runQuietTurn`): a parked task is there only for a turn it no longer has.
 */
export const OFF_QUIET_PATH = TaskBit.Finished | SteppedBit.Turns | SteppedBit.Parked;

/**
 * A task whose body is stepped on this thread: what the {@link Harness} keeps for it.
 * Executors subclass it for the fields of their own policy (a queue position, a slot).
 *
 * Who sets what: the harness sets `state` around each step and `parked` while the task
 * waits; the coroutine is made by {@link Harness.begin} and dropped when the task settles
 * ({@link Harness.release}). An executor reads these fields; it does not write them.
 */
export class SteppedTask<T = unknown> extends Task<T> {
  /** The harness that steps it, which also wakes it when what it waits for settles. */
  declare readonly owner: SteppedOwner;
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
  constructor(owner: SteppedOwner, parent: Task | undefined, options: SpawnOptions | undefined) {
    super(owner, parent, options);
    this.coroutine = undefined;
    this.scope = undefined;
    this.waiting = undefined;
  }

  // `turns` and `spawnedAt` are kept in the task's side object of what few tasks need: a
  // field each would add eight bytes to every task.

  /** True while `await ctx.yield()` calls wait for their turn (async bodies only). */
  get hasTurns(): boolean {
    return (this.bits & SteppedBit.Turns) !== 0;
  }

  /** Queues a turn for an `await ctx.yield()`: exactly one of the two will be called. */
  addTurn(onTurn: () => void, onCancel: (error: unknown) => void): void {
    // Kept flat, two entries a turn, and the array kept once made: a turn allocates
    // nothing of its own here.
    (this.more().turns ??= []).push(onTurn, onCancel);
    this.bits |= SteppedBit.Turns;
  }

  /** Takes the oldest due turn's `onTurn`, or `undefined` when none is due. */
  takeTurn(): ((error?: unknown) => void) | undefined {
    const turns = this.extras?.turns;
    if (turns === undefined || turns.length === 0) return undefined;
    const onTurn = turns.shift();
    turns.shift();
    if (turns.length === 0) this.bits &= ~SteppedBit.Turns;
    return onTurn;
  }

  /** Takes every due turn's `onCancel`, oldest first (the task was cancelled). */
  takeCancels(): ((error?: unknown) => void)[] {
    const turns = this.extras?.turns;
    if (turns === undefined || turns.length === 0) return [];
    const cancels = turns.filter((_, index) => index % 2 === 1);
    turns.length = 0;
    this.bits &= ~SteppedBit.Turns;
    return cancels;
  }

  /** Forgets the turns (the task settled). */
  dropTurns(): void {
    if (this.extras !== undefined) this.extras.turns = undefined;
    this.bits &= ~SteppedBit.Turns;
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

  /** Parked on a promise-like (its {@link Waiting} tells a current wake-up from a stale one). */
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

  /** The remembered wait (`waiting.awaited`) ended in a rejection, with `waiting.value` the error. */
  get lastFailed(): boolean {
    return (this.bits & SteppedBit.LastFailed) !== 0;
  }

  set lastFailed(value: boolean) {
    this.setBit(SteppedBit.LastFailed, value);
  }

  /** Waiting for a place under the executor's concurrency limit (not yet scheduled). */
  get held(): boolean {
    return (this.bits & SteppedBit.Held) !== 0;
  }

  set held(value: boolean) {
    this.setBit(SteppedBit.Held, value);
  }

  /**
   * Once an async body has awaited (its coroutine is settling), `ctx.yield()` is called
   * from the body's own continuation, outside any step: the turn is asked for at once and
   * the body awaits a native promise, which saves the job V8 runs to call a thenable's
   * `then` (and the thenable's own promise). A stopping task gets its yield point, which
   * rejects only if awaited.
   * @internal
   */
  override yieldTurn(): PromiseLike<undefined> {
    if (this.coroutine?.settling === true && !this.stopping) return turnPromise(this);
    return this.yieldPoint();
  }

  /**
   * Parks the task on a promise-like. Its wake-up callbacks are made once and reused; a
   * promise reaction runs in the async context of the step that parked (the task's own), a
   * task handle's callback does not (see `Harness.woken`).
   * @internal the harness parks its tasks
   */
  park(awaited: unknown): void {
    this.bits |= SteppedBit.Parked;
    if ((this.waiting ??= new Waiting(this)).listen(awaited)) this.bits |= SteppedBit.WaitsOnTask;
  }

  /**
   * Parks the task on its `async` body's promise: only the body's end is left to wait for,
   * and no more of the body runs in a step. The task gives up what it held for its steps
   * (its coroutine, and through it the context object, its async context, a `Waiting`)
   * and keeps two bound callbacks: a server may hold a hundred thousand such tasks.
   * @internal the harness parks its tasks
   */
  parkOnBody(promise: PromiseLike<unknown>): void {
    this.bits |= SteppedBit.Parked;
    this.coroutine = awaitingBody;
    this.scope = undefined;
    this.waiting = undefined;
    void Promise.resolve(promise).then(bodyFulfilled.bind(this), bodyRejected.bind(this));
  }

  /**
   * Takes the task off its wait (it was cancelled while parked).
   * @internal the harness parks its tasks
   */
  unpark(): void {
    if ((this.bits & SteppedBit.Parked) === 0) return;
    this.bits &= ~(SteppedBit.Parked | SteppedBit.WaitsOnTask);
    // Whatever it waited for may still settle: its callbacks must find the task holding
    // another `Waiting` (the next park makes a new one), and are then ignored.
    this.waiting = undefined;
  }

  /** The body returned `value`: a task reference's result must cross threads, so it must clone. */
  complete(value: unknown): void {
    if (this.reference) {
      try {
        assertCloneable([value], 'result');
      } catch (error) {
        this.finish(true, error);
        return;
      }
    }
    this.finish(false, value);
  }

  private setBit(bit: number, value: boolean): void {
    if (value) this.bits |= bit;
    else this.bits &= ~bit;
  }
}

/** What a {@link SteppedTask}'s owner does beyond {@link TaskOwner}: it wakes parked tasks. */
export interface SteppedOwner extends TaskOwner {
  /**
   * What `waiting.task` was parked on settled (`failed`: rejected, with `value` the error).
   * A call for a {@link Waiting} the task no longer holds is stale and ignored.
   */
  wakeParked(waiting: Waiting, failed: boolean, value: unknown): void;
  /**
   * The promise an `async` body's task was parked on settled (`failed`: rejected, with
   * `value` the error): see {@link SteppedTask.parkOnBody}.
   */
  wakeSettled(task: SteppedTask, failed: boolean, value: unknown): void;
}

// The callbacks of a wait on an `async` body's promise (`SteppedTask.parkOnBody`), which
// settles once: bound to the task, 48 bytes each here, where a `Waiting` with its two
// closures and their context takes 216.
function bodyFulfilled(this: SteppedTask, value: unknown): void {
  this.owner.wakeSettled(this, false, value);
}

function bodyRejected(this: SteppedTask, error: unknown): void {
  this.owner.wakeSettled(this, true, error);
}

/**
 * A task's waiting state: its wake-up callbacks and the last promise it saw settle. Made on
 * the task's first park and kept while its waits end normally; a task unparked any other
 * way (cancelled while parked) drops it, so that callbacks of the wait it left find
 * another `Waiting` in the task and are ignored: the object itself is the wake token.
 *
 * Size: a parked task holds this, its two callbacks and their closure context, whose only
 * variable is this object. What the callbacks need (the task, its owner) is read from here.
 */
export class Waiting {
  /** Wake-up callbacks, reused for every park while the task holds this object. */
  readonly onSettled = (value: unknown): void => {
    this.task.owner.wakeParked(this, false, value);
  };
  readonly onFailed = (error: unknown): void => {
    this.task.owner.wakeParked(this, true, error);
  };
  /**
   * While the task is parked: the native promise (or task) it waits for, if it may be
   * remembered. Once it woke: that promise, settled with {@link Waiting.value} (rejected if
   * the task's `lastFailed`), so that waiting on it again can be answered within a step,
   * without a microtask (it cannot change). `undefined` when nothing is remembered.
   */
  awaited: unknown = undefined;
  /** What the remembered promise settled with. */
  value: unknown = undefined;

  constructor(readonly task: SteppedTask) {}

  /**
   * Subscribes the wake-up callbacks to what the task now waits for. A promise reaction
   * runs in the async context of the step that parked (the task's own), a task handle's
   * callback does not: true when `awaited` is a task handle.
   */
  listen(awaited: unknown): boolean {
    if (awaited instanceof Promise && Object.getPrototypeOf(awaited) === Promise.prototype) {
      this.awaited = awaited;
      void awaited.then(this.onSettled, this.onFailed);
      return false;
    }
    if (awaited instanceof Task) {
      this.awaited = awaited;
      awaited.subscribe(this.onSettled, this.onFailed);
      return true;
    }
    // Not remembered: a foreign thenable may answer differently each time it is asked.
    this.awaited = undefined;
    // Foreign thenables are assimilated by a native promise: their callbacks may be
    // called late, twice or synchronously, the task still resumes once, in a microtask.
    void Promise.resolve(awaited).then(this.onSettled, this.onFailed);
    return false;
  }
}

// `new Promise` calls its executor synchronously: one executor for every turn promise,
// which hands out the resolvers through these, saves a closure per turn.
let resolveTurn: (value?: undefined) => void = noop;
let rejectTurn: (error: unknown) => void = noop;
const captureResolvers = (resolve: (value?: undefined) => void, reject: (error: unknown) => void): void => {
  resolveTurn = resolve;
  rejectTurn = reject;
};
function noop(): void {
  // Until the first turn promise is made.
}

/** A native promise settled by the task's next turn (or its cancellation), asked for now. */
function turnPromise(task: SteppedTask): Promise<undefined> {
  const promise = new Promise<undefined>(captureResolvers);
  task.owner.turn(task, resolveTurn, rejectTurn);
  return promise;
}
