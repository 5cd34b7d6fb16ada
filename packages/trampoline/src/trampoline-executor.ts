import {
  ExecutorClosedError,
  Interrupt,
  InvalidOptionsError,
  RingQueue,
  Step,
  Task,
  assertCloneable,
  channels,
  currentThread,
  describeBody,
  describeValue,
  eventTime,
  isTaskReference,
  validateSpawn,
} from '@spindle/core';
import type {
  CloseOptions,
  Executor,
  ExecutorCapabilities,
  SpawnArgs,
  SpawnOptions,
  SpawnResult,
  Spawnable,
  TaskHandle,
  TaskOwner,
} from '@spindle/core';
import { trampolineInstructions } from './trampoline-instructions.js';
import { assertOperation } from './operation.js';
import type { Operation } from './operation.js';
import { resolveOptions } from './options.js';
import type { TrampolineOptions } from './options.js';
import { startOperation } from './start-operation.js';
import { TrampolineTask, Waiting } from './trampoline-task.js';

const capabilities: ExecutorCapabilities = Object.freeze({
  name: 'trampoline',
  parallel: false,
  closures: true,
  clonesArguments: false,
  timeSliced: true,
  ordering: 'fifo',
});

/** Figures a trampoline executor keeps about itself. */
export interface TrampolineStats {
  /** Tasks accepted and not yet settled. */
  readonly live: number;
  /** Tasks waiting in the ready queue. */
  readonly ready: number;
  /** Steps taken since the executor was made. */
  readonly steps: number;
  /** Times the executor handed the thread back to the event loop with work still to do. */
  readonly slicesExpired: number;
}

/** Steps run between two looks at the clock (a power of two). */
const CHECK_EVERY = 64;

let executors = 0;

/**
 * Drives generator coroutines, and every other body kind Spindle defines, on one thread.
 *
 * - `yield` a promise-like: the task parks (costs nothing) and resumes when it settles,
 *   in the microtask that settles it, with its value or its rejection thrown in.
 * - `yield*` an {@link Operation}: a typed call. The callers wait on the heap (core's
 *   `Coroutine` frame stack), so chains of any depth and synchronous chains of any length
 *   run in constant stack; what is already available (a call, the context, a finished
 *   task) is answered within the step, without a microtask.
 * - Time-sliced: after `sliceMs` the executor continues in `setImmediate`, so timers and
 *   I/O are never starved, not even by a task that waits on settled promises forever.
 * - Ordering: tasks start in spawn order (`fifo`); a woken task resumes at once rather
 *   than queueing behind ready ones, so there is no per-step round-robin promise.
 * - Every step runs in the async context (AsyncLocalStorage) the task was spawned in.
 */
export class TrampolineExecutor implements Executor, TaskOwner {
  /** One thread, closures accepted, time-sliced, tasks start in spawn order (`fifo`). */
  readonly capabilities: ExecutorCapabilities = capabilities;
  /** Label used in events and errors, e.g. `trampoline#1`. */
  readonly label: string;
  private readonly sliceMs: number;
  private readonly ready = new RingQueue<TrampolineTask>(64);
  private readonly roots = new Set<TrampolineTask>();
  private live = 0;
  private steps = 0;
  private slicesExpired = 0;
  private scheduled = false;
  private draining = false;
  private sliceOpen = false;
  private sliceSpent = false;
  private sliceStart = 0;
  private sinceCheck = 0;
  private isClosed = false;
  private closing: Promise<void> | undefined = undefined;
  private resolveClosing: (() => void) | undefined = undefined;
  private readonly drainBound = (): void => {
    this.drain();
  };
  private readonly closeSliceBound = (): void => {
    this.sliceOpen = false;
  };
  private readonly stepBound = (task: TrampolineTask): void => {
    this.step(task);
  };

  /** @throws InvalidOptionsError naming the option at fault */
  constructor(options?: TrampolineOptions) {
    const resolved = resolveOptions(options);
    this.sliceMs = resolved.sliceMs;
    this.label = resolved.label ?? `trampoline#${++executors}`;
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Current figures; cheap enough to poll. */
  get stats(): TrampolineStats {
    return { live: this.live, ready: this.ready.size, steps: this.steps, slicesExpired: this.slicesExpired };
  }

  /**
   * Accepts a task (a plain, `async` or generator function, a state machine or a task
   * reference) and returns its handle at once. Generator bodies may `yield*` operations.
   * @throws InvalidTaskError for a body, arguments or options that cannot run
   * @throws ExecutorClosedError after `close()`
   */
  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: SpawnOptions): TaskHandle<SpawnResult<B>> {
    if (this.isClosed) throw new ExecutorClosedError(this.label);
    const list = validateSpawn(body, args, options, capabilities);
    return this.create(undefined, body, list, options) as unknown as TaskHandle<SpawnResult<B>>;
  }

  /**
   * Runs an operation as a new root task: `await executor.run(main())`.
   * @throws InvalidTaskError (`not-a-body`) when `op` is not an operation (has no `[Symbol.iterator]`)
   * @throws ExecutorClosedError after `close()`
   */
  run<T>(op: Operation<T>, options?: SpawnOptions): TaskHandle<T> {
    if (this.isClosed) throw new ExecutorClosedError(this.label);
    assertOperation(op, 'run()');
    const list = validateSpawn(startOperation, [op], options, capabilities);
    return this.create(undefined, startOperation, list, options) as unknown as TaskHandle<T>;
  }

  /** @internal Children of live tasks are accepted while the executor drains. */
  spawnChild(parent: Task, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task {
    const list = validateSpawn(body, args, options, capabilities);
    return this.create(parent, body, list, options);
  }

  /**
   * Stops intake, then drains (default: every accepted task settles) or cancels (every
   * unsettled task is cancelled with `reason` and its cleanup awaited). Idempotent.
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
  interrupt(task: Task): void {
    const own = this.own(task);
    if (own.state === 'running') {
      own.interruptAfterStep = true;
      return;
    }
    const turns = own.turns;
    if (turns !== undefined) {
      own.turns = undefined;
      for (const turn of turns) turn.onCancel(own.cancellationError());
    }
    const coroutine = own.coroutine;
    if (coroutine === undefined) return;
    switch (coroutine.interrupt()) {
      case Interrupt.Now:
        this.unpark(own);
        // If it is still queued, the drain loop skips it: its body has finished.
        own.finish(false, undefined);
        return;
      case Interrupt.Step:
        // Every frame gets return(), innermost first; cleanup that waits parks as usual.
        if (own.parked) {
          this.unpark(own);
          this.enqueue(own);
        }
        return;
      case Interrupt.Await:
        // An async body cannot be stopped from outside; its signal has been aborted and
        // its turns rejected. It settles as cancelled when its promise settles.
        return;
    }
  }

  /** @internal */
  turn(task: Task, onTurn: () => void, onCancel: (error: unknown) => void): void {
    const own = this.own(task);
    if (own.stopping) {
      onCancel(own.cancellationError());
      return;
    }
    (own.turns ??= []).push({ onTurn, onCancel });
    this.enqueue(own);
  }

  /** @internal */
  settled(task: Task): void {
    this.live--;
    const own = this.own(task);
    own.coroutine = undefined;
    own.scope = undefined;
    own.waiting = undefined;
    own.turns = undefined;
    if (task.parent === undefined) this.roots.delete(own);
    if (this.isClosed) this.checkClosed();
  }

  private own(task: Task): TrampolineTask {
    if (task instanceof TrampolineTask && task.owner === this) return task;
    throw new TypeError(`task ${task.describe()} does not belong to ${this.label}`);
  }

  private create(parent: Task | undefined, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): TrampolineTask {
    const task = new TrampolineTask(this, parent, body, args, options, isTaskReference(body), trampolineInstructions);
    this.live++;
    if (parent === undefined) this.roots.add(task);
    if (channels.spawn.hasSubscribers) {
      channels.spawn.publish({
        kind: 'spawn',
        taskId: task.id,
        executor: this.label,
        thread: currentThread,
        time: eventTime(),
        name: task.name,
        parentId: parent?.id,
        body: describeBody(body),
      });
    }
    if (task.cancelledAtSpawn) {
      // An already aborted signal: accepted and settled as cancelled, the body never runs.
      task.coroutine?.interrupt();
      task.finish(false, undefined);
      return task;
    }
    this.enqueue(task);
    return task;
  }

  private enqueue(task: TrampolineTask): void {
    this.ready.push(task);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    if (!this.sliceOpen) {
      this.openSlice();
      queueMicrotask(this.drainBound);
    } else if (!this.sliceSpent && performance.now() - this.sliceStart < this.sliceMs) {
      queueMicrotask(this.drainBound);
    } else {
      setImmediate(this.drainBound);
    }
  }

  private openSlice(): void {
    this.sliceOpen = true;
    this.sliceSpent = false;
    this.sinceCheck = 0;
    this.sliceStart = performance.now();
    // Marks the end of this turn of the event loop; it must not keep the process alive.
    setImmediate(this.closeSliceBound).unref();
  }

  /** True while the current slice has time left; looks at the clock every few calls. */
  private inSlice(): boolean {
    if (!this.sliceOpen) {
      this.openSlice();
      return true;
    }
    if (this.sliceSpent) return false;
    if (++this.sinceCheck < CHECK_EVERY) return true;
    return this.clockAllows();
  }

  /** Looks at the clock: true while the open slice has time left. */
  private clockAllows(): boolean {
    this.sinceCheck = 0;
    if (performance.now() - this.sliceStart < this.sliceMs) return true;
    this.sliceSpent = true;
    this.slicesExpired++;
    return false;
  }

  private drain(): void {
    this.scheduled = false;
    if (!this.sliceOpen) this.openSlice();
    this.draining = true;
    try {
      for (let task = this.ready.shift(); task !== undefined; task = this.ready.shift()) {
        if (task.bodyFinished) continue;
        const turns = task.turns;
        if (turns !== undefined && turns.length > 0) {
          const turn = turns.shift();
          if (turns.length === 0) task.turns = undefined;
          turn?.onTurn();
        } else {
          // Whoever made it ready (a waker in another task's context, a cancellation), the
          // step runs in the context the task was spawned in.
          task.scope?.runInAsyncScope(this.stepBound, undefined, task);
        }
        if (!this.inSlice() && this.ready.size > 0) {
          this.scheduled = true;
          setImmediate(this.drainBound);
          return;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private step(task: TrampolineTask): void {
    const coroutine = task.coroutine;
    if (coroutine === undefined) return;
    const first = task.state === 'pending';
    task.state = 'running';
    this.steps++;
    if (first ? channels.start.hasSubscribers : channels.resume.hasSubscribers) {
      (first ? channels.start : channels.resume).publish({
        kind: first ? 'start' : 'resume',
        taskId: task.id,
        executor: this.label,
        thread: currentThread,
        time: eventTime(),
      });
    }
    let outcome = coroutine.step();
    // Waiting again on a promise it has seen settle: answered here, within the slice.
    const waiting = task.waiting;
    if (outcome === Step.Wait && waiting?.lastAwaited !== undefined) {
      const seen = waiting.lastAwaited;
      let answered = 0;
      while (outcome === Step.Wait && coroutine.value === seen) {
        if ((++answered & (CHECK_EVERY - 1)) === 0 && !this.clockAllows()) break;
        if (waiting.lastFailed) coroutine.reject(waiting.lastValue);
        else coroutine.resolve(waiting.lastValue);
        outcome = coroutine.step();
      }
      this.steps += answered;
    }
    switch (outcome) {
      case Step.Yield:
        task.state = 'suspended';
        if (channels.suspend.hasSubscribers) this.publishSuspend(task, 'yield');
        this.enqueue(task);
        break;
      case Step.Wait: {
        const awaited = coroutine.value;
        coroutine.value = undefined;
        task.state = 'suspended';
        if (channels.suspend.hasSubscribers) this.publishSuspend(task, 'wait');
        this.park(task, awaited);
        break;
      }
      case Step.Done: {
        const value = coroutine.value;
        coroutine.value = undefined;
        this.complete(task, value);
        break;
      }
      case Step.Failed: {
        const error = coroutine.value;
        coroutine.value = undefined;
        task.state = 'suspended';
        task.finish(true, error);
        break;
      }
    }
    if (task.interruptAfterStep) {
      task.interruptAfterStep = false;
      if (!task.bodyFinished) this.interrupt(task);
    }
  }

  private complete(task: TrampolineTask, value: unknown): void {
    task.state = 'suspended';
    if (task.reference) {
      try {
        assertCloneable([value], 'result');
      } catch (error) {
        task.finish(true, error);
        return;
      }
    }
    task.result = value;
    task.finish(false, value);
  }

  /**
   * Parks a task on a promise-like. The wake callbacks are made once per task and reused;
   * they run as a promise reaction, so in the async context of the step that parked, which
   * is the task's own.
   */
  private park(task: TrampolineTask, awaited: unknown): void {
    task.parked = true;
    let waiting = task.waiting;
    if (waiting === undefined) {
      const token = task.token;
      waiting = task.waiting = new Waiting(
        (value: unknown): void => {
          this.wake(task, token, false, value);
        },
        (error: unknown): void => {
          this.wake(task, token, true, error);
        },
      );
    }
    if (awaited instanceof Promise && Object.getPrototypeOf(awaited) === Promise.prototype) {
      waiting.awaiting = awaited;
      void awaited.then(waiting.onSettled, waiting.onFailed);
    } else if (awaited instanceof Task) {
      waiting.awaiting = awaited;
      awaited.subscribe(waiting.onSettled, waiting.onFailed);
    } else {
      // Not cached: a foreign thenable may answer differently each time it is asked.
      waiting.awaiting = undefined;
      // Foreign thenables are assimilated by a native promise: their callbacks may be
      // called late, twice or synchronously, the task still resumes once, in a microtask.
      void Promise.resolve(awaited).then(waiting.onSettled, waiting.onFailed);
    }
  }

  private unpark(task: TrampolineTask): void {
    if (!task.parked) return;
    task.parked = false;
    // Whatever it waited for may still settle: its callbacks must find a new token, and
    // the next park makes new ones.
    task.token++;
    task.waiting = undefined;
  }

  private wake(task: TrampolineTask, token: number, failed: boolean, value: unknown): void {
    const coroutine = task.coroutine;
    const waiting = task.waiting;
    if (task.token !== token || !task.parked || coroutine === undefined || waiting === undefined) return;
    task.parked = false;
    if (waiting.awaiting !== undefined) {
      waiting.lastAwaited = waiting.awaiting;
      waiting.lastValue = value;
      waiting.lastFailed = failed;
      waiting.awaiting = undefined;
    }
    if (failed) coroutine.reject(value);
    else coroutine.resolve(value);
    if (channels.wake.hasSubscribers) {
      channels.wake.publish({ kind: 'wake', taskId: task.id, executor: this.label, thread: currentThread, time: eventTime() });
    }
    // Resume right here, in the reaction, unless the slice is spent: the reaction already
    // runs in the task's own async context, and this skips a trip through the queue.
    if (!this.draining && this.inSlice()) this.step(task);
    else this.enqueue(task);
  }

  private publishSuspend(task: TrampolineTask, reason: 'yield' | 'wait'): void {
    channels.suspend.publish({
      kind: 'suspend',
      taskId: task.id,
      executor: this.label,
      thread: currentThread,
      time: eventTime(),
      reason,
    });
  }

  private checkClosed(): void {
    if (this.live === 0 && this.resolveClosing !== undefined) {
      const resolve = this.resolveClosing;
      this.resolveClosing = undefined;
      resolve();
    }
  }
}
