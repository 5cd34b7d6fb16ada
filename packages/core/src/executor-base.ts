import type { SpawnArgs, SpawnOptions, SpawnResult, Spawnable } from './body.js';
import type { ExecutorCapabilities } from './capabilities.js';
import { ExecutorClosedError, InvalidOptionsError, describeValue } from './errors.js';
import { TaskEventCode, batchChannel } from './event-batch.js';
import { TaskEventLog } from './event-log.js';
import { publishSpawn, publishTaskEventObject, wantsObjects } from './event-stream.js';
import { channels, currentThread, eventTime } from './events.js';
import type { CloseOptions, Executor } from './executor.js';
import { validateSpawn } from './spawn-input.js';
import { Task } from './task.js';
import type { TaskOwner } from './task.js';
import type { TaskHandle } from './task-handle.js';

/**
 * Who listens to an executor's step events, as bit flags ({@link ExecutorBase.openEventWindow}).
 * `Batch` is the lowest bit, so any flags above `Batch` alone mean the general path.
 */
export const Listening = {
  Nobody: 0,
  /** Batch-channel subscribers: steps go into the event log. */
  Batch: 1,
  /** Per-kind subscribers that want event objects: steps go through `publishStep` and `publishSuspend`. */
  Objects: 2,
  /**
   * With `Batch`: the drain's window reads the precise clock, so a step's beginning needs a
   * clock read of its own; steps go through `publishStep` and `publishSuspend`.
   */
  Precise: 4,
} as const;

/**
 * What every executor does the same way, written once: intake (validation, refusing work
 * after `close()`), the accounting of accepted tasks, `close()` in both modes,
 * `Symbol.asyncDispose`, and the lifecycle events. A subclass decides only how tasks are
 * made, started, stepped, interrupted and given turns.
 *
 * @typeParam T the executor's own task class
 */
export abstract class ExecutorBase<T extends Task> implements Executor, TaskOwner {
  abstract readonly capabilities: ExecutorCapabilities;
  readonly label: string;
  /**
   * Where this executor's lifecycle events gather for the batch channel. A subclass opens a
   * window around each drain of its ready queue (`eventLog.open()` … `close()`), so that a
   * drain publishes one batch.
   */
  readonly eventLog: TaskEventLog;
  /** Accepted tasks that have not settled, children included. */
  protected live = 0;
  /** Accepted top-level tasks that have not settled; `close({ mode: 'cancel' })` cancels these. */
  protected readonly roots = new Set<T>();
  private isClosed = false;
  private closing: Promise<void> | undefined = undefined;
  private resolveClosing: (() => void) | undefined = undefined;

  /** @param label the label used in events and errors */
  protected constructor(label: string) {
    this.label = label;
    this.eventLog = new TaskEventLog(label);
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Accepts a task and returns its handle at once.
   * @throws InvalidTaskError for a body, arguments or options that cannot run
   * @throws ExecutorClosedError after `close()`
   */
  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: SpawnOptions): TaskHandle<SpawnResult<B>> {
    if (this.isClosed) throw new ExecutorClosedError(this.label);
    const list = validateSpawn(body, args, options, this.capabilities);
    return this.accept(undefined, body, list, options) as unknown as TaskHandle<SpawnResult<B>>;
  }

  /** @internal Children of live tasks are accepted while the executor drains. */
  spawnChild(parent: Task, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task {
    const list = validateSpawn(body, args, options, this.capabilities);
    return this.accept(parent, body, list, options);
  }

  /**
   * Stops intake, then drains (default: every accepted task settles) or cancels (every
   * unsettled task is cancelled with `reason` and its cleanup awaited). Idempotent; a later
   * call in `cancel` mode escalates a drain.
   * @throws InvalidOptionsError for an unknown mode
   */
  close(options?: CloseOptions): Promise<void> {
    const mode: unknown = options?.mode ?? 'drain';
    if (mode !== 'drain' && mode !== 'cancel') {
      throw new InvalidOptionsError('mode', `close mode must be 'drain' or 'cancel', got ${describeValue(mode)}`);
    }
    this.isClosed = true;
    this.closing ??= new Promise<void>((resolve) => {
      this.resolveClosing = resolve;
    });
    this.closeIntake();
    if (mode === 'cancel') {
      const reason = options?.reason ?? new ExecutorClosedError(this.label);
      for (const task of [...this.roots]) task.cancel(reason);
    }
    this.checkClosed();
    return this.closing;
  }

  /** Same as `close({ mode: 'drain' })`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close({ mode: 'drain' });
  }

  /** @internal */
  settled(task: Task): void {
    this.live--;
    const own = this.own(task);
    if (task.parent === undefined) this.roots.delete(own);
    this.release(own);
    if (this.isClosed) this.checkClosed();
  }

  /** @internal Stop the body of a task whose cancellation or failure was requested. */
  abstract interrupt(task: Task): void;

  /** @internal Give an `async` body that awaited `ctx.yield()` its next turn. */
  abstract turn(task: Task, onTurn: () => void, onCancel: (error: unknown) => void): void;

  /** Makes the executor's task object for an accepted body. */
  protected abstract createTask(parent: Task | undefined, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): T;

  /** Schedules a new task's first step. */
  protected abstract start(task: T): void;

  /** True if `task` is one of this executor's own task objects. */
  protected abstract isOwn(task: Task): task is T;

  /** Frees what the executor kept for a task once it has settled. Default: nothing. */
  protected release(task: T): void {
    void task;
  }

  /** Called once, when `close()` is first called. Default: nothing. */
  protected closeIntake(): void {
    // Executors with resources of their own (threads) start letting them go here.
  }

  /** Narrows a task handed back by core to this executor's task class. */
  protected own(task: Task): T {
    if (this.isOwn(task) && task.owner === this) return task;
    throw new TypeError(`task ${task.describe()} does not belong to ${this.label}`);
  }

  /**
   * Opens the event window of a drain (see {@link ExecutorBase.eventLog}) and says who
   * listens to its events, as {@link Listening} flags: a drain can then skip every event
   * check of its steps for nobody, and record straight into the log for batch subscribers
   * alone (`Batch` without `Precise`: one `eventLog.stepped()` call as each step ends).
   * Subscribers that arrive during a drain are seen from the next drain on.
   * @param listening who listens, if the caller has just asked ({@link ExecutorBase.listeners})
   */
  protected openEventWindow(listening: number = this.listeners()): number {
    const log = this.eventLog;
    log.open();
    if ((listening & Listening.Batch) === 0) return listening;
    if (!log.coarse) return listening | Listening.Precise;
    // Steps will be recorded with `stepped()`: the first begins at the window's time.
    if (listening === Listening.Batch) log.enterSteps();
    return listening;
  }

  /** Who listens to step events right now, as {@link Listening} flags. */
  protected listeners(): number {
    let listening = batchChannel.hasSubscribers ? Listening.Batch : Listening.Nobody;
    if (wantsObjects(channels.start) || wantsObjects(channels.resume) || wantsObjects(channels.suspend) || wantsObjects(channels.wake)) {
      listening |= Listening.Objects;
    }
    return listening;
  }

  /**
   * Publishes `start` (first step) or `resume` to whoever listens: into the event log for
   * batch subscribers, as an object for per-kind ones. Executors call it when their drain's
   * {@link Listening} flags include `Objects` or `Precise`; with batch subscribers alone and
   * the coarse clock they call `eventLog.stepped()` as a step ends (`finish()` before a task
   * whose body ended settles, `between()` after), and with nobody nothing.
   */
  protected publishStep(task: T, first: boolean): void {
    if (batchChannel.hasSubscribers) this.eventLog.step(first ? TaskEventCode.Start : TaskEventCode.Resume, task.id);
    const channel = first ? channels.start : channels.resume;
    if (wantsObjects(channel)) {
      publishTaskEventObject({ kind: first ? 'start' : 'resume', taskId: task.id, executor: this.label, thread: currentThread, time: eventTime() }, channel);
    }
  }

  /**
   * Publishes `suspend`, if anybody listens. In a batch the step's end takes its time from
   * the log's next clock read (normally the next step's start).
   * @param waited what a `wait` step parked on: a task's id is published as `waitingOn`
   */
  protected publishSuspend(task: T, reason: 'yield' | 'wait', waited?: unknown): void {
    if (batchChannel.hasSubscribers) {
      this.eventLog.later(reason === 'yield' ? TaskEventCode.SuspendYield : TaskEventCode.SuspendWait, task.id, waited instanceof Task ? waited.id : Number.NaN);
    }
    if (wantsObjects(channels.suspend)) {
      const event = { kind: 'suspend', taskId: task.id, executor: this.label, thread: currentThread, time: eventTime(), reason } as const;
      publishTaskEventObject(waited instanceof Task ? { ...event, waitingOn: waited.id } : event, channels.suspend);
    }
  }

  /** Publishes `wake`, if anybody listens. */
  protected publishWake(task: T): void {
    if (batchChannel.hasSubscribers) this.eventLog.wake(task.id);
    if (wantsObjects(channels.wake)) {
      publishTaskEventObject({ kind: 'wake', taskId: task.id, executor: this.label, thread: currentThread, time: eventTime() }, channels.wake);
    }
  }

  private accept(parent: Task | undefined, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): T {
    const task = this.createTask(parent, body, args, options);
    this.live++;
    if (parent === undefined) this.roots.add(task);
    publishSpawn(this.label, this.eventLog, task.id, task.name, parent?.id, body);
    if (task.cancelledAtSpawn) {
      // An already aborted signal: accepted and settled as cancelled, the body never runs.
      task.finish(false, undefined);
      return task;
    }
    this.start(task);
    return task;
  }

  private checkClosed(): void {
    if (this.live === 0 && this.resolveClosing !== undefined) {
      const resolve = this.resolveClosing;
      this.resolveClosing = undefined;
      resolve();
    }
  }
}
