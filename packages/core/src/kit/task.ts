import type { BodyResult, MachineResult, SpawnArgs, SpawnOptions, SpawnResult, Spawnable } from '../contract/body.js';
import type { TaskReference } from '../contract/task-reference.js';
import { YieldPoint } from '../contract/context.js';
import type { TaskContext } from '../contract/context.js';
import { SpindleError, TaskCancelledError, describeTask } from '../contract/errors.js';
import { batchChannel } from '../events/event-batch.js';
import type { TaskEventLog } from '../events/event-log.js';
import { publishTaskEvent, publishTaskEventObject, wantsObjects } from '../events/event-stream.js';
import { channels, currentThread, eventTime } from '../events/channels.js';
import type { TaskHandle } from '../contract/task-handle.js';
import type { SettledState, TaskState } from '../contract/task-state.js';
import { isSettledState } from '../contract/task-state.js';
import { processState } from '../shared/process-state.js';
import { ChildList } from './child-list.js';
import { settledPromise } from './settled-promise.js';

/**
 * The executor side of a task: what {@link Task} asks of the executor that owns it.
 */
export interface TaskOwner {
  /** Label used in events and errors. */
  readonly label: string;
  /** Spawns a child of `parent` on this executor. */
  spawnChild(parent: Task, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task;
  /** Stop the body of a task whose cancellation or failure was requested (it has not finished). */
  interrupt(task: Task): void;
  /**
   * An `async` body awaited `ctx.yield()`: call `onTurn` when the task's next turn comes,
   * or `onCancel` with the cancellation error if the task is stopped first.
   */
  turn(task: Task, onTurn: () => void, onCancel: (error: unknown) => void): void;
  /** Called once, after the task settled. */
  settled(task: Task): void;
  /** Where the owner gathers events for the batch channel; without it, a settle goes out as a batch of its own. */
  readonly eventLog?: TaskEventLog;
}

/**
 * A task's booleans and its stop kind, packed in one small integer (a field each would add
 * eight bytes to every task, and a program may hold a hundred thousand of them). Bits from
 * `TaskBit.Subclass` up are free for subclasses ({@link SteppedTask} uses some).
 */
export const TaskBit = {
  Observed: 1,
  Finished: 2,
  BodyFailed: 4,
  /** Cancellation was requested. */
  StopCancel: 8,
  /** A child failed unobserved: the task fails. */
  StopFail: 16,
  /** The lowest bit a subclass may use. */
  Subclass: 32,
} as const;

const STOPPING = TaskBit.StopCancel | TaskBit.StopFail;

/**
 * What few tasks need: made on first use (a name, a stop, a promise, a signal read, an
 * external signal, and for a `SteppedTask` its timing, its yield point and its
 * `await ctx.yield()` turns).
 */
class TaskExtras {
  /** See `SteppedTask.spawnedAt` (one task in sixteen is timed). */
  spawnedAt: number | undefined = undefined;
  /** See `SteppedTask.addTurn` (async bodies only): each turn's `onTurn`, then its `onCancel`. */
  turns: ((error?: unknown) => void)[] | undefined = undefined;
  stopReason: unknown = undefined;
  promise: Promise<unknown> | undefined = undefined;
  resolvePromise: ((value: unknown) => void) | undefined = undefined;
  rejectPromise: ((error: unknown) => void) | undefined = undefined;
  controller: AbortController | undefined = undefined;
  external: AbortSignal | undefined = undefined;
  externalListener: (() => void) | undefined = undefined;
  /** `SpawnOptions.name`: few tasks are named. */
  name: string | undefined = undefined;
  /** What the task context's `yield()` returns, made on its first call (async bodies). */
  yieldPoint: YieldPoint | undefined = undefined;
}

/** Rejections the task delivers elsewhere must not also surface as unhandled. */
const noop = (): void => undefined;

/**
 * One task's lifecycle, shared by every executor: identity, state, the awaitable handle,
 * the abort signal, structured children, cancellation and settlement. Executors decide
 * only when and where its steps run.
 *
 * Structure: a task settles only after all its children have settled. Cancelling it
 * cancels its unfinished children. A child that fails while nobody has joined it fails its
 * parent (and so cancels its siblings); a joined child's failure reaches whoever joined it.
 *
 * Size: a task holds only what every task needs in fields of its own; its flags share one
 * integer, and what few tasks need (a name, a promise, a signal, a stop reason) waits in a
 * side object made on first use. A settled task keeps its outcome and little else.
 */
export class Task<T = unknown> implements TaskHandle<T> {
  readonly id: number;
  /** What the task was spawned with (`SpawnOptions.priority`), else its parent's, else 0. */
  readonly priority: number;
  readonly parent: Task | undefined;
  readonly owner: TaskOwner;
  /**
   * Where the task is. Set by the harness around each step (`running`, then `suspended`)
   * and by the task itself when it settles; an executor only reads it.
   */
  state: TaskState = 'pending';
  /**
   * {@link TaskBit}s, and a subclass's own above them. Public for the kit's harness, which
   * tests several in one load on every step; anyone else reads the named getters.
   * @internal
   */
  bits = 0;

  private children: ChildList<Task> | undefined = undefined;
  // The body's value (or error) once it finished, then the outcome once the task settled.
  private value: unknown = undefined;
  /** `onFulfilled, onRejected` pairs, flat, of executors joined to this task. */
  private waiters: ((value: unknown) => void)[] | undefined = undefined;
  /** What few tasks need, made on first use ({@link Task.more}). */
  protected extras: TaskExtras | undefined = undefined;

  constructor(owner: TaskOwner, parent: Task | undefined, options: SpawnOptions | undefined) {
    this.id = processState.nextTaskId++;
    this.owner = owner;
    this.parent = parent;
    const name = options?.name;
    if (name !== undefined) this.more().name = name;
    this.priority = options?.priority ?? parent?.priority ?? 0;
    if (parent !== undefined) {
      (parent.children ??= new ChildList()).add(this);
      if ((parent.bits & STOPPING) !== 0) {
        // A stopping parent (an async body that has not noticed yet) gets only cancelled children.
        this.bits |= TaskBit.StopCancel;
        this.more().stopReason = parent.extras?.stopReason;
      }
    }
    const signal = options?.signal;
    if (signal !== undefined && (this.bits & STOPPING) === 0) {
      if (signal.aborted) {
        this.bits |= TaskBit.StopCancel;
        this.more().stopReason = signal.reason;
      } else {
        const extras = this.more();
        extras.external = signal;
        extras.externalListener = () => {
          this.cancel(signal.reason);
        };
        signal.addEventListener('abort', extras.externalListener, { once: true });
      }
    }
  }

  /** True once somebody awaited, chained or joined the handle. */
  get observed(): boolean {
    return (this.bits & TaskBit.Observed) !== 0;
  }

  set observed(value: boolean) {
    if (value) this.bits |= TaskBit.Observed;
    else this.bits &= ~TaskBit.Observed;
  }

  /** The side object of what few tasks need, made now if it was not. */
  protected more(): TaskExtras {
    return (this.extras ??= new TaskExtras());
  }

  /** `SpawnOptions.name`, if it was given. */
  get name(): string | undefined {
    return this.extras?.name;
  }

  /**
   * What `ctx.yield()` returns for this task: one {@link YieldPoint}, made on first use.
   * @internal
   */
  yieldPoint(): YieldPoint {
    const extras = this.more();
    return (extras.yieldPoint ??= new YieldPoint((onTurn, onCancel) => {
      this.owner.turn(this, onTurn, onCancel);
    }));
  }

  /**
   * What `ctx.yield()` returns: by default the task's {@link YieldPoint}.
   * @internal
   */
  yieldTurn(): PromiseLike<undefined> {
    return this.yieldPoint();
  }

  /** True if cancellation was requested before the task could start (an aborted signal). */
  get cancelledAtSpawn(): boolean {
    return (this.bits & STOPPING) !== 0 && this.state === 'pending';
  }

  /** True once cancellation or failure was requested and the body should stop. */
  get stopping(): boolean {
    return (this.bits & STOPPING) !== 0;
  }

  /** True once the body has returned or thrown (children may still be running). */
  get bodyFinished(): boolean {
    return (this.bits & TaskBit.Finished) !== 0;
  }

  /** True when the task has settled. */
  get settled(): boolean {
    return isSettledState(this.state);
  }

  /** Aborts when the task is cancelled. Created on first use. */
  get signal(): AbortSignal {
    const extras = this.more();
    if (extras.controller === undefined) {
      extras.controller = new AbortController();
      if ((this.bits & STOPPING) !== 0) extras.controller.abort(extras.stopReason);
    }
    return extras.controller.signal;
  }

  /**
   * A new context object for the body, on each read: the harness asks once and its
   * coroutine keeps it, so that a settled task does not.
   */
  get context(): TaskContext {
    return new Context(this);
  }

  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.bits |= TaskBit.Observed;
    return this.handlePromise().then(onfulfilled, onrejected);
  }

  /**
   * How executors join a task (instead of `Promise.resolve(task)`): no promise is made.
   * Exactly one callback runs, once, in a microtask after the task settles (at once if it
   * has), in the async context of whatever settled it: an executor that runs the waiting
   * task from the callback restores that task's own context first.
   */
  subscribe(onFulfilled: (value: T) => void, onRejected: (error: unknown) => void): void {
    this.bits |= TaskBit.Observed;
    if (isSettledState(this.state)) {
      void settledPromise.then(() => {
        this.deliver(onFulfilled, onRejected);
      });
      return;
    }
    (this.waiters ??= []).push(onFulfilled as (value: unknown) => void, onRejected);
  }

  /**
   * The outcome of a settled task, read at once: the value if it fulfilled, the error
   * otherwise (`state` tells which). For executors that must hand an outcome on
   * synchronously from {@link TaskOwner.settled} (a worker that may die before its next
   * microtask). Counts as observing a rejection. Throws if the task has not settled.
   */
  observeOutcome(): unknown {
    if (!isSettledState(this.state)) throw new TypeError(`task ${this.describe()} has not settled`);
    this.bits |= TaskBit.Observed;
    return this.value;
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    this.bits |= TaskBit.Observed;
    return this.handlePromise().finally(onfinally);
  }

  /** `'Task'`: on the prototype (below the class), not a field defined on every task. */
  declare readonly [Symbol.toStringTag]: string;

  /**
   * Asks the task to stop: its unfinished children are cancelled, its signal aborts, and
   * its owner's `interrupt` is called, which may be during one of the task's own steps
   * (a body cancelling itself): the harness then acts on it when the step returns.
   */
  cancel(reason?: unknown): void {
    this.requestStop(TaskBit.StopCancel, reason);
  }

  /**
   * The body finished (returned or threw). The task settles now, or once its children have.
   * Called exactly once per task: by the harness when a step ends the body, or when an
   * interrupt stops a body that has nothing to clean up.
   *
   * What it takes: `(false, value)` for a body that returned, `(true, error)` for one that
   * threw. After an interrupt (cancellation, or a child's failure), `(false, undefined)`
   * settles the task as cancelled (or rejected with the failure that stopped it); an error
   * the body threw during its cleanup wins over the cancellation unless it is itself a
   * `TaskCancelledError`.
   */
  finish(failed: boolean, value: unknown): void {
    if ((this.bits & TaskBit.Finished) !== 0) return;
    this.bits |= failed ? TaskBit.Finished | TaskBit.BodyFailed : TaskBit.Finished;
    this.value = value;
    if (this.children === undefined || this.children.live === 0) this.settle();
    else this.state = 'suspended';
  }

  private requestStop(kind: typeof TaskBit.StopCancel | typeof TaskBit.StopFail, reason: unknown): void {
    if ((this.bits & STOPPING) !== 0 || isSettledState(this.state)) return;
    this.bits |= kind;
    const extras = this.more();
    extras.stopReason = reason;
    this.dropExternalSignal(extras);
    if (this.children !== undefined) {
      for (const child of this.children.snapshot()) child.requestStop(TaskBit.StopCancel, reason);
    }
    // Abort after children so their own cleanup has started when this body hears of it.
    extras.controller?.abort(reason);
    if ((this.bits & TaskBit.Finished) === 0) this.owner.interrupt(this);
  }

  private childSettled(child: Task, outcome: unknown): void {
    this.children?.settledOne();
    if (child.state === 'rejected' && (child.bits & TaskBit.Observed) === 0) {
      // Delivered here instead of as an unhandled rejection.
      child.extras?.promise?.catch(noop);
      this.requestStop(TaskBit.StopFail, outcome);
    }
    if ((this.bits & TaskBit.Finished) !== 0 && !isSettledState(this.state) && (this.children === undefined || this.children.live === 0)) {
      this.settle();
    }
  }

  private settle(): void {
    let state: SettledState;
    const bits = this.bits;
    const bodyFailed = (bits & TaskBit.BodyFailed) !== 0;
    const bodyValue = this.value;
    let value: unknown = bodyValue;
    const extras = this.extras;
    if ((bits & TaskBit.StopFail) !== 0) {
      state = 'rejected';
      // A body that failed on its own with something other than our interruption keeps its error.
      value = bodyFailed && !(bodyValue instanceof TaskCancelledError) ? bodyValue : extras?.stopReason;
    } else if ((bits & TaskBit.StopCancel) !== 0) {
      if (bodyFailed && !(bodyValue instanceof TaskCancelledError)) {
        state = 'rejected';
      } else {
        state = 'cancelled';
        value = new TaskCancelledError(this.id, this.name, extras?.stopReason);
      }
    } else {
      state = bodyFailed ? 'rejected' : 'fulfilled';
    }
    this.state = state;
    this.value = value;
    if (extras !== undefined) this.settleExtras(extras, state, value);
    const waiters = this.waiters;
    if (waiters !== undefined) {
      this.waiters = undefined;
      void settledPromise.then(() => {
        for (let i = 0; i < waiters.length; i += 2) {
          this.deliver(waiters[i] ?? noop, waiters[i + 1] ?? noop);
        }
      });
    }
    if (__SPINDLE_EVENTS__ && (channels.settle.hasSubscribers || batchChannel.hasSubscribers)) this.publishSettle(state, value);
    this.parent?.childSettled(this, value);
    this.owner.settled(this);
    if (state === 'rejected' && (this.bits & TaskBit.Observed) === 0 && this.parent === undefined && this.extras?.promise === undefined) {
      // Nobody holds this failure: surface it as Node surfaces any unhandled rejection.
      this.more().promise = Promise.reject(value);
    }
  }

  /** Settles what the side object holds: the external signal's listener goes, the promise (if made) settles. */
  private settleExtras(extras: TaskExtras, state: SettledState, value: unknown): void {
    this.dropExternalSignal(extras);
    const promise = extras.promise;
    if (promise === undefined) return;
    if (state === 'fulfilled') {
      extras.resolvePromise?.(value);
    } else {
      if (state === 'cancelled') promise.catch(noop);
      extras.rejectPromise?.(value);
    }
    extras.resolvePromise = extras.rejectPromise = undefined;
  }

  /** Publishes `settle`: packed into the owner's event log for batch subscribers, as an object for the rest. */
  private publishSettle(state: SettledState, value: unknown): void {
    const error = state === 'fulfilled' ? undefined : errorName(value);
    const log = this.owner.eventLog;
    if (log !== undefined && !wantsObjects(channels.settle)) {
      if (batchChannel.hasSubscribers) log.settled(this.id, state, error);
      return;
    }
    const event = { kind: 'settle', taskId: this.id, executor: this.owner.label, thread: currentThread, time: eventTime(), state, error } as const;
    if (log === undefined) {
      publishTaskEvent(event);
      return;
    }
    publishTaskEventObject(event, channels.settle);
    if (batchChannel.hasSubscribers) log.settled(this.id, state, error);
  }

  private handlePromise(): Promise<T> {
    const extras = this.more();
    if (extras.promise !== undefined) return extras.promise as Promise<T>;
    switch (this.state) {
      case 'fulfilled':
        return (extras.promise = Promise.resolve(this.value)) as Promise<T>;
      case 'rejected':
      case 'cancelled':
        return (extras.promise = Promise.reject(this.value)) as Promise<T>;
      default:
        return (extras.promise = new Promise<unknown>((resolve, reject) => {
          extras.resolvePromise = resolve;
          extras.rejectPromise = reject;
        })) as Promise<T>;
    }
  }

  private deliver(onFulfilled: (value: T) => void, onRejected: (error: unknown) => void): void {
    if (this.state === 'fulfilled') onFulfilled(this.value as T);
    else onRejected(this.value);
  }

  private dropExternalSignal(extras: TaskExtras): void {
    if (extras.external !== undefined && extras.externalListener !== undefined) {
      extras.external.removeEventListener('abort', extras.externalListener);
    }
    extras.external = undefined;
    extras.externalListener = undefined;
  }

  /** A rejection for work the task started after it was asked to stop (an awaited turn). */
  cancellationError(): TaskCancelledError {
    return new TaskCancelledError(this.id, this.name, this.extras?.stopReason);
  }

  /** `#12 "name"`, for messages. */
  describe(): string {
    return describeTask(this.id, this.name);
  }
}

Object.defineProperty(Task.prototype, Symbol.toStringTag, { value: 'Task', configurable: true });

function errorName(value: unknown): string {
  if (value instanceof Error) return value.name;
  return typeof value;
}

class Context implements TaskContext {
  private readonly task: Task;

  constructor(task: Task) {
    this.task = task;
  }

  get taskId(): number {
    return this.task.id;
  }

  get name(): string | undefined {
    return this.task.name;
  }

  get signal(): AbortSignal {
    return this.task.signal;
  }

  spawn<A extends unknown[], R>(body: (ctx: TaskContext, ...args: A) => R, args?: A, options?: SpawnOptions): TaskHandle<BodyResult<R>>;
  spawn<A extends unknown[], R>(body: TaskReference<A, R>, args?: A, options?: SpawnOptions): TaskHandle<R>;
  spawn<M extends object>(body: M & ThisType<M>, args?: [], options?: SpawnOptions): TaskHandle<MachineResult<M>>;
  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: SpawnOptions): TaskHandle<SpawnResult<B>>;
  spawn(body: Spawnable, args?: readonly unknown[], options?: SpawnOptions): TaskHandle<unknown> {
    if (isSettledState(this.task.state)) {
      throw new SpindleError(`task ${this.task.describe()} has settled; its context cannot spawn children`);
    }
    return this.task.owner.spawnChild(this.task, body, args ?? [], options);
  }

  join<T>(handle: TaskHandle<T>): TaskHandle<T> {
    if (handle instanceof Task) handle.observed = true;
    return handle;
  }

  yield(): PromiseLike<undefined> {
    return this.task.yieldTurn();
  }
}
