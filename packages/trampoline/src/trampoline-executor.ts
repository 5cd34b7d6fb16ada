import {
  ExecutorBase,
  ExecutorClosedError,
  Interrupt,
  Listening,
  RingQueue,
  Step,
  Task,
  TaskEventCode,
  TimeSlice,
  assertCloneable,
  batchChannel,
  isTaskReference,
  resolveSliceOptions,
} from '@spindle/core';
import type { ExecutorCapabilities, SpawnOptions, Spawnable, TaskHandle } from '@spindle/core';
import { assertOperation } from './operation.js';
import type { Operation } from './operation.js';
import type { TrampolineOptions } from './options.js';
import { startOperation } from './start-operation.js';
import { trampolineInstructions } from './trampoline-instructions.js';
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
export class TrampolineExecutor extends ExecutorBase<TrampolineTask> {
  /** One thread, closures accepted, time-sliced, tasks start in spawn order (`fifo`). */
  readonly capabilities: ExecutorCapabilities = capabilities;
  private readonly slice: TimeSlice;
  private readonly ready = new RingQueue<TrampolineTask>(64);
  private steps = 0;
  private scheduled = false;
  private draining = false;
  /** Who listens to the events of the steps being run: the drain's, or read live for a step outside one. */
  private listening: number = Listening.Nobody;
  private readonly drainBound = (): void => {
    this.drain();
  };
  private readonly stepBound = (task: TrampolineTask): void => {
    this.step(task);
  };
  /** Who listens to the steps run in wake callbacks in this turn of the event loop; -1 while no window is open for them. */
  private turnListening = -1;
  /** The time slice ({@link TimeSlice.turns}) in which nobody listened when a woken task was stepped in place. */
  private quietSlice = -1;
  /**
   * The task being stepped in its wake callback while batch subscribers listen: its wake is
   * recorded with its step, when the step ends (see `TaskEventLog.wokenStepped`).
   */
  private wokenHere: TrampolineTask | undefined = undefined;
  private readonly closeTurnBound = (): void => {
    this.turnListening = -1;
    this.eventLog.close();
  };

  /** @throws InvalidOptionsError naming the option at fault */
  constructor(options?: TrampolineOptions) {
    const resolved = resolveSliceOptions('trampoline', options);
    super(resolved.label ?? `trampoline#${++executors}`);
    this.slice = new TimeSlice(resolved.sliceMs);
  }

  /** Current figures; cheap enough to poll. */
  get stats(): TrampolineStats {
    return { live: this.live, ready: this.ready.size, steps: this.steps, slicesExpired: this.slice.expired };
  }

  /**
   * Runs an operation as a new root task: `await executor.run(main())`.
   * @throws ExecutorClosedError after `close()`
   * @throws InvalidTaskError (`not-a-body`) when `op` is not an operation (has no `[Symbol.iterator]`)
   */
  run<T>(op: Operation<T>, options?: SpawnOptions): TaskHandle<T> {
    if (this.closed) throw new ExecutorClosedError(this.label);
    assertOperation(op, 'run()');
    return this.spawn(startOperation, [op as Operation<unknown>], options) as TaskHandle<T>;
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

  protected createTask(parent: Task | undefined, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): TrampolineTask {
    return new TrampolineTask(this, parent, body, args, options, isTaskReference(body), trampolineInstructions);
  }

  protected start(task: TrampolineTask): void {
    this.enqueue(task);
  }

  protected isOwn(task: Task): task is TrampolineTask {
    return task instanceof TrampolineTask;
  }

  /** A settled handle keeps only what a join needs: its result. */
  protected override release(task: TrampolineTask): void {
    task.coroutine = undefined;
    task.scope = undefined;
    task.waiting = undefined;
    task.turns = undefined;
  }

  private enqueue(task: TrampolineTask): void {
    this.ready.push(task);
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    if (this.slice.microtaskAllowed) queueMicrotask(this.drainBound);
    else setImmediate(this.drainBound);
  }

  private drain(): void {
    this.scheduled = false;
    this.slice.enter();
    this.draining = true;
    // One window per drain: with a batch subscriber, the drain's events go out as one batch.
    this.listening = this.openEventWindow();
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
        if (!this.slice.tick() && this.ready.size > 0) {
          this.scheduled = true;
          setImmediate(this.drainBound);
          return;
        }
      }
    } finally {
      this.draining = false;
      this.eventLog.close();
    }
  }

  private step(task: TrampolineTask): void {
    const coroutine = task.coroutine;
    if (coroutine === undefined) return;
    const listening = this.listening;
    const first = task.state === 'pending';
    // Any flags but `Batch` alone (the lowest bit) are above it: the general path records the beginning now.
    if (listening > Listening.Batch) this.publishStep(task, first);
    task.state = 'running';
    this.steps++;
    let outcome = coroutine.step();
    // Waiting again on a promise it has seen settle: answered here, within the slice.
    const waiting = task.waiting;
    if (outcome === Step.Wait && waiting?.lastAwaited !== undefined) {
      const seen = waiting.lastAwaited;
      let answered = 0;
      while (outcome === Step.Wait && coroutine.value === seen) {
        if (!this.slice.tick()) break;
        answered++;
        if (waiting.lastFailed) coroutine.reject(waiting.lastValue);
        else coroutine.resolve(waiting.lastValue);
        outcome = coroutine.step();
      }
      this.steps += answered;
    }
    switch (outcome) {
      case Step.Yield:
        task.state = 'suspended';
        if (listening !== Listening.Nobody) {
          if (listening !== Listening.Batch) this.publishSuspend(task, 'yield');
          else if (this.takeWoken(task)) this.eventLog.wokenStepped(TaskEventCode.ResumeYield, task.id, -1);
          else this.eventLog.stepped(first ? TaskEventCode.StartYield : TaskEventCode.ResumeYield, task.id);
        }
        this.enqueue(task);
        break;
      case Step.Wait: {
        const awaited = coroutine.value;
        coroutine.value = undefined;
        task.state = 'suspended';
        if (listening !== Listening.Nobody) {
          if (listening !== Listening.Batch) this.publishSuspend(task, 'wait', awaited);
          else if (this.takeWoken(task)) this.eventLog.wokenStepped(TaskEventCode.ResumeWait, task.id, awaited instanceof Task ? awaited.id : -1);
          else this.eventLog.steppedOn(first ? TaskEventCode.StartWait : TaskEventCode.ResumeWait, task.id, awaited instanceof Task ? awaited.id : -1);
        }
        this.park(task, awaited);
        break;
      }
      case Step.Done: {
        const value = coroutine.value;
        coroutine.value = undefined;
        if (listening === Listening.Batch) this.recordFinish(task, first);
        this.complete(task, value);
        if (listening === Listening.Batch) this.eventLog.between();
        break;
      }
      case Step.Failed: {
        const error = coroutine.value;
        coroutine.value = undefined;
        if (listening === Listening.Batch) this.recordFinish(task, first);
        task.state = 'suspended';
        task.finish(true, error);
        if (listening === Listening.Batch) this.eventLog.between();
        break;
      }
    }
    if (task.interruptAfterStep) {
      task.interruptAfterStep = false;
      if (!task.bodyFinished) this.interrupt(task);
      if (listening === Listening.Batch) this.eventLog.between();
    }
  }

  /** True once for the task stepped in its wake callback whose wake is still to be recorded. */
  private takeWoken(task: TrampolineTask): boolean {
    if (this.wokenHere !== task) return false;
    this.wokenHere = undefined;
    return true;
  }

  /** Records the beginning of a step whose body ended, in a window of batch steps (with its wake first, for a task stepped in its wake callback). */
  private recordFinish(task: TrampolineTask, first: boolean): void {
    if (this.takeWoken(task)) this.eventLog.wokenFinish(task.id);
    else this.eventLog.finish(first ? TaskEventCode.Start : TaskEventCode.Resume, task.id);
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
   * a promise reaction runs in the async context of the step that parked (the task's own);
   * a task handle's callback does not (see `wake`).
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

  /** Steps a woken task in its wake callback, in the task's own context. */
  private stepHere(task: TrampolineTask, foreignContext: boolean): void {
    if (foreignContext) task.scope?.runInAsyncScope(this.stepBound, undefined, task);
    else this.step(task);
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
    // A task handle calls back in the context of whatever settled it, a promise reaction in
    // the context of the step that parked, which is the task's own.
    const foreignContext = waiting.awaiting instanceof Task;
    if (waiting.awaiting !== undefined) {
      waiting.lastAwaited = waiting.awaiting;
      waiting.lastValue = value;
      waiting.lastFailed = failed;
      waiting.awaiting = undefined;
    }
    if (failed) coroutine.reject(value);
    else coroutine.resolve(value);
    // Resume right here, in the callback, unless the slice is spent: this skips a trip
    // through the queue.
    this.slice.enter();
    if (!this.draining && this.slice.tick()) {
      // Nobody listened when this slice was asked: a wake costs two comparisons for events,
      // and the rest stays out of this function, small enough to be inlined.
      if (this.turnListening < 0 && this.quietSlice === this.slice.turns) {
        this.listening = Listening.Nobody;
        this.stepHere(task, foreignContext);
        return;
      }
      this.stepHereListened(task, foreignContext);
    } else {
      if (this.quietSlice !== this.slice.turns) this.publishWake(task);
      // A promise reaction runs between steps, never inside one: a step run in place later
      // in this window begins after this wake, as one whole-step record.
      if (!foreignContext && this.turnListening === Listening.Batch) this.eventLog.between();
      this.enqueue(task);
    }
  }

  /** {@link TrampolineExecutor.stepHere} for a woken task when someone may listen: asks who, once per time slice. */
  private stepHereListened(task: TrampolineTask, foreignContext: boolean): void {
    let listening = this.turnListening;
    if (listening < 0) {
      // Who listens is asked once per time slice (a turn of the event loop), as a drain
      // asks once per drain.
      listening = this.listeners();
      if (listening === Listening.Nobody) {
        this.quietSlice = this.slice.turns;
        this.listening = listening;
        this.stepHere(task, foreignContext);
        return;
      }
      // One window for every step run in a wake callback in this turn of the event loop,
      // as a drain has one for its steps: opened by the first, closed in an immediate (as
      // the time slice is), so that its records go out as one batch (or one per 1,024
      // numbers). A window per turn of microtasks would publish a batch per step for a
      // task that awaits one promise after another.
      listening = this.turnListening = this.openEventWindow(listening);
      setImmediate(this.closeTurnBound);
    }
    this.listening = listening;
    if (listening === Listening.Batch) {
      // The wake is recorded with the step, as it ends: in one record with it when nothing
      // else was recorded during the step and the clock has not ticked since the last. What
      // was recorded before the wake (outside any step) comes before both.
      this.eventLog.between();
      const outer = this.wokenHere;
      this.wokenHere = task;
      this.stepHere(task, foreignContext);
      // A step that recorded nothing still leaves its wake.
      if (this.takeWoken(task)) this.eventLog.wake(task.id);
      this.wokenHere = outer;
      return;
    }
    this.publishWake(task);
    this.stepHere(task, foreignContext);
    // With the precise clock, the step's end is now, not when the log next reads the clock.
    if (batchChannel.hasSubscribers) this.eventLog.stampNow();
  }
}
