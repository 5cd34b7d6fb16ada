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

const enum Stop {
  None,
  Cancel,
  Fail,
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
 */
export class Task<T = unknown> implements TaskHandle<T> {
  readonly id: number;
  readonly name: string | undefined;
  /** What the task was spawned with (`SpawnOptions.priority`), else its parent's, else 0. */
  readonly priority: number;
  readonly parent: Task | undefined;
  readonly owner: TaskOwner;
  /**
   * Where the task is. Set by the harness around each step (`running`, then `suspended`)
   * and by the task itself when it settles; an executor only reads it.
   */
  state: TaskState = 'pending';
  /** True once somebody awaited, chained or joined the handle. */
  observed = false;
  /** Free for the owning executor's bookkeeping (a wake token, a queue position). */
  token = 0;

  private children: Set<Task> | undefined = undefined;
  private stop: Stop = Stop.None;
  private stopReason: unknown = undefined;
  private finished = false;
  private bodyFailed = false;
  private bodyValue: unknown = undefined;
  // The promise is made only when somebody chains on the handle: executors joining a
  // task use `subscribe`, which costs no promise at all.
  private promise: Promise<T> | undefined = undefined;
  private resolvePromise: ((value: unknown) => void) | undefined = undefined;
  private rejectPromise: ((error: unknown) => void) | undefined = undefined;
  private outcome: unknown = undefined;
  /** `onFulfilled, onRejected` pairs, flat, of executors joined to this task. */
  private waiters: ((value: unknown) => void)[] | undefined = undefined;
  private controller: AbortController | undefined = undefined;
  private contextObject: TaskContext | undefined = undefined;
  private external: AbortSignal | undefined = undefined;
  private externalListener: (() => void) | undefined = undefined;

  constructor(owner: TaskOwner, parent: Task | undefined, options: SpawnOptions | undefined) {
    this.id = processState.nextTaskId++;
    this.owner = owner;
    this.parent = parent;
    this.name = options?.name;
    this.priority = options?.priority ?? parent?.priority ?? 0;
    if (parent !== undefined) {
      (parent.children ??= new Set()).add(this);
      if (parent.stop !== Stop.None) {
        // A stopping parent (an async body that has not noticed yet) gets only cancelled children.
        this.stop = Stop.Cancel;
        this.stopReason = parent.stopReason;
      }
    }
    const signal = options?.signal;
    if (signal !== undefined && this.stop === Stop.None) {
      if (signal.aborted) {
        this.stop = Stop.Cancel;
        this.stopReason = signal.reason;
      } else {
        this.external = signal;
        this.externalListener = () => {
          this.cancel(signal.reason);
        };
        signal.addEventListener('abort', this.externalListener, { once: true });
      }
    }
  }

  /** True if cancellation was requested before the task could start (an aborted signal). */
  get cancelledAtSpawn(): boolean {
    return this.stop !== Stop.None && this.state === 'pending';
  }

  /** True once cancellation or failure was requested and the body should stop. */
  get stopping(): boolean {
    return this.stop !== Stop.None;
  }

  /** True once the body has returned or thrown (children may still be running). */
  get bodyFinished(): boolean {
    return this.finished;
  }

  /** True when the task has settled. */
  get settled(): boolean {
    return isSettledState(this.state);
  }

  /** Aborts when the task is cancelled. Created on first use. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.stop !== Stop.None) this.controller.abort(this.stopReason);
    }
    return this.controller.signal;
  }

  /** The context object handed to the body. */
  get context(): TaskContext {
    return (this.contextObject ??= new Context(this));
  }

  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.observed = true;
    return this.handlePromise().then(onfulfilled, onrejected);
  }

  /**
   * How executors join a task (instead of `Promise.resolve(task)`): no promise is made.
   * Exactly one callback runs, once, in a microtask after the task settles (at once if it
   * has), in the async context of whatever settled it: an executor that runs the waiting
   * task from the callback restores that task's own context first.
   */
  subscribe(onFulfilled: (value: T) => void, onRejected: (error: unknown) => void): void {
    this.observed = true;
    if (isSettledState(this.state)) {
      queueMicrotask(() => {
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
    this.observed = true;
    return this.outcome;
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    this.observed = true;
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
    this.requestStop(Stop.Cancel, reason);
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
    if (this.finished) return;
    this.finished = true;
    this.bodyFailed = failed;
    this.bodyValue = value;
    if (this.children === undefined || this.children.size === 0) this.settle();
    else this.state = 'suspended';
  }

  private requestStop(kind: Stop, reason: unknown): void {
    if (this.stop !== Stop.None || isSettledState(this.state)) return;
    this.stop = kind;
    this.stopReason = reason;
    this.dropExternalSignal();
    if (this.children !== undefined) {
      for (const child of [...this.children]) child.requestStop(Stop.Cancel, reason);
    }
    // Abort after children so their own cleanup has started when this body hears of it.
    this.controller?.abort(reason);
    if (!this.finished) this.owner.interrupt(this);
  }

  private childSettled(child: Task, outcome: unknown): void {
    this.children?.delete(child);
    if (child.state === 'rejected' && !child.observed) {
      // Delivered here instead of as an unhandled rejection.
      child.promise?.catch(noop);
      this.requestStop(Stop.Fail, outcome);
    }
    if (this.finished && !isSettledState(this.state) && (this.children === undefined || this.children.size === 0)) {
      this.settle();
    }
  }

  private settle(): void {
    let state: SettledState;
    let value: unknown = this.bodyValue;
    if (this.stop === Stop.Fail) {
      state = 'rejected';
      // A body that failed on its own with something other than our interruption keeps its error.
      value = this.bodyFailed && !(this.bodyValue instanceof TaskCancelledError) ? this.bodyValue : this.stopReason;
    } else if (this.stop === Stop.Cancel) {
      if (this.bodyFailed && !(this.bodyValue instanceof TaskCancelledError)) {
        state = 'rejected';
      } else {
        state = 'cancelled';
        value = new TaskCancelledError(this.id, this.name, this.stopReason);
      }
    } else {
      state = this.bodyFailed ? 'rejected' : 'fulfilled';
    }
    this.state = state;
    this.outcome = value;
    this.bodyValue = undefined;
    this.dropExternalSignal();
    if (this.promise !== undefined) {
      if (state === 'fulfilled') {
        this.resolvePromise?.(value);
      } else {
        if (state === 'cancelled') this.promise.catch(noop);
        this.rejectPromise?.(value);
      }
      this.resolvePromise = this.rejectPromise = undefined;
    }
    const waiters = this.waiters;
    if (waiters !== undefined) {
      this.waiters = undefined;
      queueMicrotask(() => {
        for (let i = 0; i < waiters.length; i += 2) {
          this.deliver(waiters[i] ?? noop, waiters[i + 1] ?? noop);
        }
      });
    }
    if (__SPINDLE_EVENTS__ && (channels.settle.hasSubscribers || batchChannel.hasSubscribers)) this.publishSettle(state, value);
    this.parent?.childSettled(this, value);
    this.owner.settled(this);
    if (state === 'rejected' && !this.observed && this.parent === undefined && this.promise === undefined) {
      // Nobody holds this failure: surface it as Node surfaces any unhandled rejection.
      this.promise = Promise.reject(value);
    }
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
    if (this.promise !== undefined) return this.promise;
    switch (this.state) {
      case 'fulfilled':
        return (this.promise = Promise.resolve(this.outcome as T));
      case 'rejected':
      case 'cancelled':
        return (this.promise = Promise.reject(this.outcome));
      default:
        return (this.promise = new Promise<T>((resolve, reject) => {
          this.resolvePromise = resolve as (value: unknown) => void;
          this.rejectPromise = reject;
        }));
    }
  }

  private deliver(onFulfilled: (value: T) => void, onRejected: (error: unknown) => void): void {
    if (this.state === 'fulfilled') onFulfilled(this.outcome as T);
    else onRejected(this.outcome);
  }

  private dropExternalSignal(): void {
    if (this.external !== undefined && this.externalListener !== undefined) {
      this.external.removeEventListener('abort', this.externalListener);
    }
    this.external = undefined;
    this.externalListener = undefined;
  }

  /** A rejection for work the task started after it was asked to stop (an awaited turn). */
  cancellationError(): TaskCancelledError {
    return new TaskCancelledError(this.id, this.name, this.stopReason);
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
  private yieldPoint: YieldPoint | undefined = undefined;

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

  yield(): YieldPoint {
    const task = this.task;
    return (this.yieldPoint ??= new YieldPoint((onTurn, onCancel) => {
      task.owner.turn(task, onTurn, onCancel);
    }));
  }
}
