import { AsyncResource } from 'node:async_hooks';
import type { SpawnOptions, Spawnable } from '../contract/body.js';
import { isTaskReference } from '../contract/task-reference.js';
import { TaskEventCode } from '../events/event-batch.js';
import { Coroutine, Interrupt, Step, awaitingBody } from './coroutine.js';
import type { InstructionHandler, StepOutcome } from './coroutine.js';
import type { HarnessOptions } from './harness-options.js';
import { OFF_QUIET_PATH, SteppedBit } from './stepped-task.js';
import type { SteppedOwner, SteppedTask, Waiting } from './stepped-task.js';
import { Listening, StepEvents } from './step-events.js';
import { Task } from './task.js';

/**
 * One step, called with the coroutine as `this`: `runInAsyncScope(fn, thisArg)` with no
 * further arguments spares the rest-parameter array a `(fn, undefined, coroutine)` call
 * makes on every step.
 */
function runStep(this: Coroutine): StepOutcome {
  return this.step();
}

/**
 * The one place a task is stepped: what the contract demands of every step, written once
 * for every executor (model: tokio's task harness). An executor extends it (usually through
 * `ExecutorShell`) and decides only its policy: which ready task goes next
 * ({@link Harness.schedule} is its one required method), on which thread, and when to give
 * the thread back.
 *
 * What the harness does, so that no executor can forget it:
 * - {@link Harness.step}: runs the body to its next yield point in the task's own async
 *   context, sets `state` around it (`running`, then `suspended`), and handles the outcome:
 *   a yield schedules the task again, a wait parks it, a result of a task reference must
 *   be structured-cloneable (or the task fails with `InvalidTaskError`), and the body's
 *   end goes to `Task.finish`;
 * - parking: a parked task holds no timer and is not polled; the promise-like it waits on
 *   wakes it ({@link Harness.woken}), once, however its `then` behaves;
 * - {@link Harness.interrupt}: cancellation may arrive at any time, during a step too (the
 *   task is then interrupted when the step returns); a parked generator resumes with
 *   `return()` so that its `finally` runs; an `async` body is left to notice its aborted
 *   signal;
 * - turns of `await ctx.yield()`: {@link Harness.runTurn} gives them, and sets
 *   {@link Harness.handOver} so that a drain lets the body's continuation run before it
 *   steps anything else;
 * - lifecycle events: with nobody listening a step costs one comparison for events.
 *
 * Who sets what: the harness alone sets a task's `state` during steps, `parked`, and makes
 * and drops its coroutine; the task's own `finish` (called by the harness) settles it. An
 * executor never calls `finish` on a task the harness steps, except through
 * {@link Harness.interruptUnstarted} for work it holds that has not begun.
 *
 * @typeParam T the executor's task class
 */
export abstract class Harness<T extends SteppedTask = SteppedTask> extends StepEvents<T> implements SteppedOwner {
  /** Steps taken so far. */
  protected steps = 0;
  /**
   * Set when the body that just ran continues in microtasks (an `async` body parked on its
   * own promise, or a turn was given to `await ctx.yield()`): a drain should let those
   * microtasks run before it steps another task, so that the body keeps its place.
   */
  protected handOver = false;
  private readonly asyncContext: boolean;
  private readonly instructions: InstructionHandler | undefined;
  private readonly answerSettled: boolean;
  /**
   * Run whole steps, not only bodies, in the task's async context: set by a harness that
   * steps woken tasks in their promise reactions (see `SlicedHarness`), which then run in
   * the context of the step that parked. Also taken for `answerSettledWaits`.
   */
  protected wholeStepInContext = false;
  /**
   * Drains may take {@link Harness.runQuietTurn}: false for an executor that overrides
   * `step` or `runTurn`, whose every step must go through its own.
   */
  protected readonly quietTurns: boolean;
  /** The task whose step {@link Harness.stepCurrent} runs. */
  private stepping: T | undefined = undefined;

  /** @param label the label used in events and errors */
  protected constructor(label: string, options: HarnessOptions = {}) {
    super(label);
    this.asyncContext = options.asyncContext ?? true;
    this.instructions = options.instructions;
    this.answerSettled = options.answerSettledWaits ?? false;
    this.wholeStepInContext = this.answerSettled;
    this.quietTurns = this.step === Harness.prototype.step && this.runTurn === Harness.prototype.runTurn;
  }

  /** Spawns a child of `parent` (a task context's `spawn`). */
  abstract spawnChild(parent: Task, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task;

  /** Called once, after `task` settled. */
  abstract settled(task: Task): void;

  /**
   * Policy: `task` is ready for its next step (spawned, woken, yielded, interrupted, or its
   * `await ctx.yield()` is due a turn). Queue it and see that it runs.
   */
  protected abstract schedule(task: T): void;

  /** True if `task` is one of this executor's own task objects. */
  protected abstract isOwn(task: Task): task is T;

  /**
   * Gives `task` its body: call once, before its first step. Keeps its async context when
   * the harness does (every step then runs in it).
   */
  begin(task: T, body: Spawnable, args: readonly unknown[]): void {
    task.coroutine = new Coroutine(body, args, task.context, this.instructions);
    if (isTaskReference(body)) task.reference = true;
    if (this.asyncContext) task.scope = new AsyncResource('spindle.task', { requireManualDestroy: true });
  }

  /**
   * Runs a ready task's next piece of work: a turn its `await ctx.yield()` is due, or else
   * a step. Call it only for a task that was scheduled and whose body has not finished.
   * @param enter whether to enter the task's async context: `false` only where the caller
   *   already runs in it
   */
  runTurn(task: T, enter = true): void {
    const onTurn = task.takeTurn();
    if (onTurn !== undefined) {
      onTurn();
      this.handOver = true;
      return;
    }
    // Queued for a turn that cancellation took back: an async body's task stays parked on
    // its promise, and a step would end it before its cleanup has run.
    if ((task.bits & SteppedBit.Parked) !== 0) return;
    this.step(task, enter);
  }

  /**
   * Runs the body of `task` to its next yield point and handles what it ended with.
   * @param enter whether to enter the task's async context (see {@link Harness.runTurn})
   * @returns how the step ended (`Step.Done` also for a task with nothing left to step)
   */
  step(task: T, enter = true): StepOutcome {
    const scope = enter ? task.scope : undefined;
    if (scope !== undefined && this.wholeStepInContext) {
      // A woken task may be stepped in its promise reaction: then the whole step runs in
      // the task's context, parking included, so that the reaction runs in it too.
      this.stepping = task;
      return scope.runInAsyncScope(this.stepCurrent);
    }
    return this.stepHere(task, scope);
  }

  /**
   * {@link Harness.runTurn} for a drain with nobody listening to events, or batch
   * subscribers alone, and no whole steps in context (see `wholeStepInContext`): a started
   * task's step with the common outcome,
   * a yield, on a path of its own, short enough to be inlined into the drain; a first
   * step and every other outcome go the general way. The round-robin's state-machine step
   * lost a fifth of its speed when it went through the general path alone (in the bench's
   * own processes). A task whose body has finished (cancelled while it was queued) is
   * skipped.
   * @param listening who listens in this drain's window: `Listening.Nobody` or `Listening.Batch`
   * @returns true when the task yielded and the caller, the drain, must queue it again
   */
  protected runQuietTurn(task: T, listening: number = Listening.Nobody): boolean {
    const scope = task.scope;
    const coroutine = task.coroutine;
    // Flags tested in one load, not through their getters: V8's budget of inlined bytecode
    // is needed for the step (the context entry) in the drain it is inlined into.
    if ((task.bits & OFF_QUIET_PATH) !== 0 || task.state === 'pending' || scope === undefined || coroutine === undefined) {
      if (!task.bodyFinished) this.runTurn(task);
      return false;
    }
    task.state = 'running';
    this.steps++;
    const outcome = scope.runInAsyncScope(runStep, coroutine);
    if (outcome !== Step.Yield || (task.bits & SteppedBit.InterruptAfterStep) !== 0) {
      this.afterStep(task, coroutine, outcome, false, listening);
      return false;
    }
    task.state = 'suspended';
    if (__SPINDLE_EVENTS__ && listening === Listening.Batch) this.eventLog.stepped(TaskEventCode.ResumeYield, task.id);
    return true;
  }

  /** {@link Harness.stepHere} for the task in `stepping`: no arguments to pass through `runInAsyncScope`. */
  private readonly stepCurrent = (): StepOutcome => {
    const task = this.stepping;
    this.stepping = undefined;
    return task === undefined ? Step.Done : this.stepHere(task, undefined);
  };

  /**
   * {@link Harness.step} in the async context the caller runs in.
   * @param scope the task's context, for the body alone, or `undefined` to run the body here
   */
  private stepHere(task: T, scope: AsyncResource | undefined): StepOutcome {
    const coroutine = task.coroutine;
    if (coroutine === undefined) return Step.Done;
    const listening = this.listening;
    const first = task.state === 'pending';
    // Any flags but `Batch` alone (the lowest bit) are above it: the general path records the beginning now.
    if (__SPINDLE_EVENTS__ && listening > Listening.Batch) this.publishStep(task, first);
    if (first && task.spawnedAt !== undefined) this.firstStep(task);
    task.state = 'running';
    this.steps++;
    const outcome = scope !== undefined ? scope.runInAsyncScope(runStep, coroutine) : this.answerSettled ? this.stepAnswering(task, coroutine) : coroutine.step();
    this.afterStep(task, coroutine, outcome, first, listening);
    return outcome;
  }

  /**
   * Handles how a step of `task` ended: a yield schedules it again, a wait parks it, an end
   * finishes it; then an interruption asked for during the step.
   * @param first the step was the task's first
   * @param listening who listened when the step began ({@link Listening})
   */
  private afterStep(task: T, coroutine: Coroutine, outcome: StepOutcome, first: boolean, listening: number): void {
    switch (outcome) {
      case Step.Yield:
        task.state = 'suspended';
        if (__SPINDLE_EVENTS__ && listening !== Listening.Nobody) {
          if (listening !== Listening.Batch) this.publishSuspend(task, 'yield');
          else if (this.wokenHere === task) this.recordWokenStep(TaskEventCode.ResumeYield, task, -1);
          else this.eventLog.stepped(first ? TaskEventCode.StartYield : TaskEventCode.ResumeYield, task.id);
        }
        this.schedule(task);
        break;
      case Step.Wait: {
        const awaited = coroutine.value;
        coroutine.value = undefined;
        task.state = 'suspended';
        if (__SPINDLE_EVENTS__ && listening !== Listening.Nobody) {
          if (listening !== Listening.Batch) this.publishSuspend(task, 'wait', awaited);
          else if (this.wokenHere === task) this.recordWokenStep(TaskEventCode.ResumeWait, task, awaited instanceof Task ? awaited.id : -1);
          else this.eventLog.steppedOn(first ? TaskEventCode.StartWait : TaskEventCode.ResumeWait, task.id, awaited instanceof Task ? awaited.id : -1);
        }
        if (coroutine.settling) {
          task.parkOnBody(awaited as PromiseLike<unknown>);
          // An async body goes on in microtasks of its own.
          this.handOver = true;
        } else {
          task.park(awaited);
        }
        break;
      }
      case Step.Done: {
        const value = coroutine.value;
        coroutine.value = undefined;
        if (__SPINDLE_EVENTS__ && listening === Listening.Batch) this.recordFinish(task, first);
        task.state = 'suspended';
        task.complete(value);
        if (__SPINDLE_EVENTS__ && listening === Listening.Batch) this.eventLog.between();
        break;
      }
      case Step.Failed: {
        const error = coroutine.value;
        coroutine.value = undefined;
        if (__SPINDLE_EVENTS__ && listening === Listening.Batch) this.recordFinish(task, first);
        task.state = 'suspended';
        task.finish(true, error);
        if (__SPINDLE_EVENTS__ && listening === Listening.Batch) this.eventLog.between();
        break;
      }
    }
    if (task.interruptAfterStep) {
      task.interruptAfterStep = false;
      if (!task.bodyFinished) this.interrupt(task);
      if (__SPINDLE_EVENTS__ && listening === Listening.Batch) this.eventLog.between();
    }
  }

  /**
   * Stops the body of a task whose cancellation or failure was requested (core's `Task`
   * calls it; it may arrive during a step of that very task, and is then acted on when the
   * step returns).
   */
  interrupt(task: Task): void {
    const own = this.own(task);
    const coroutine = own.coroutine;
    if (coroutine === undefined) {
      this.interruptUnstarted(own);
      return;
    }
    if (own.state === 'running') {
      own.interruptAfterStep = true;
      return;
    }
    if (own.hasTurns) for (const onCancel of own.takeCancels()) onCancel(own.cancellationError());
    switch (coroutine.interrupt()) {
      case Interrupt.Now:
        own.unpark();
        // If it is still queued, whoever takes it skips it: its body has finished.
        own.finish(false, undefined);
        return;
      case Interrupt.Step:
        // Every frame gets return(), innermost first; cleanup that waits parks as usual.
        if (own.parked) {
          own.unpark();
          this.schedule(own);
        }
        return;
      case Interrupt.Await:
        // An async body cannot be stopped from outside; its signal has been aborted and
        // its turns rejected. It settles as cancelled when its promise settles.
        return;
    }
  }

  /**
   * An `async` body awaited `ctx.yield()`: its turn comes when the task is next taken from
   * the ready queue. A drain may give the turns of several tasks in a row before their
   * continuations run (in the same order): a task cancelled by a continuation that ran
   * before its own, whose turn was already given, runs on to its next `ctx.yield()`, which
   * rejects with the cancellation.
   */
  turn(task: Task, onTurn: () => void, onCancel: (error: unknown) => void): void {
    const own = this.own(task);
    if (own.stopping) {
      onCancel(own.cancellationError());
      return;
    }
    own.addTurn(onTurn, onCancel);
    this.schedule(own);
  }

  /** A timed task ({@link SteppedTask.spawnedAt}) takes its first step now. Default: nothing. */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- overrides use it
  protected firstStep(task: T): void {
    // An executor that times the wait before a first step records it here.
  }

  /**
   * An interruption for a task that has no body here yet (the executor holds its work
   * elsewhere: in shared memory, on another thread). Default: it settles as cancelled now.
   */
  protected interruptUnstarted(task: T): void {
    task.finish(false, undefined);
  }

  /**
   * Drops what a settled task no longer needs (its coroutine, context and wake-up
   * callbacks), so that a settled handle stays small. Executors call it from `settled`.
   */
  protected drop(task: T): void {
    task.coroutine = undefined;
    task.scope = undefined;
    task.waiting = undefined;
    task.dropTurns();
  }

  /**
   * A parked task was woken: what it waited for settled and its coroutine has the outcome.
   * Default: publish the wake and schedule it.
   * @param foreignContext the wake-up runs in another task's async context (a task handle
   *   settled), not the woken task's own (a promise reaction)
   */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- overrides use it
  protected woken(task: T, foreignContext: boolean): void {
    // As the last window's steps did: straight into the log for batch subscribers alone.
    if (__SPINDLE_EVENTS__) {
      if (this.listening === Listening.Batch) this.eventLog.wake(task.id);
      else this.publishWake(task);
    }
    this.schedule(task);
  }

  /** Narrows a task handed back by core to this executor's task class. */
  protected own(task: Task): T {
    if (this.isOwn(task) && task.owner === this) return task;
    throw new TypeError(`task ${task.describe()} does not belong to ${this.label}`);
  }

  /**
   * One step, and then any wait on the promise the task last saw settle answered here,
   * within the step, while {@link Harness.mayAnswerInStep} allows: it cannot have changed.
   */
  private stepAnswering(task: T, coroutine: Coroutine): StepOutcome {
    const outcome = coroutine.stepResumed();
    const waiting = task.waiting;
    // Between steps (not parked), `awaited` is the last wait, settled.
    if (outcome !== Step.Wait || waiting?.awaited === undefined || coroutine.value !== waiting.awaited) return outcome;
    return this.answerSettledWaits(task, coroutine, waiting);
  }

  /**
   * The step ended in a wait on the promise the task last saw settle (`waiting.awaited`):
   * answers it, and each next wait on it, within the step, while
   * {@link Harness.mayAnswerInStep} allows.
   */
  private answerSettledWaits(task: T, coroutine: Coroutine, waiting: Waiting): StepOutcome {
    const seen = waiting.awaited;
    let outcome: StepOutcome = Step.Wait;
    let answered = 0;
    while (outcome === Step.Wait && coroutine.value === seen) {
      if (!this.mayAnswerInStep()) break;
      answered++;
      if ((task.bits & SteppedBit.LastFailed) !== 0) coroutine.reject(waiting.value);
      else coroutine.resolve(waiting.value);
      outcome = coroutine.stepResumed();
    }
    this.steps += answered;
    return outcome;
  }

  /** With `answerSettledWaits`: whether one more wait may be answered within the step (the time slice is not spent). */
  protected mayAnswerInStep(): boolean {
    return true;
  }

  /**
   * What the task of `waiting` was parked on settled: resumes it, unless the wake-up is
   * stale (the task left that wait, or was stepped meanwhile).
   * @internal called by {@link Waiting}'s callbacks
   */
  wakeParked(waiting: Waiting, failed: boolean, value: unknown): void {
    // Made by `park` for one of this harness's tasks.
    const task = waiting.task as T;
    const coroutine = task.coroutine;
    // The flags are read and written in one integer, not through their accessors: every
    // wake comes here, and each accessor not inlined cost it a few nanoseconds.
    const bits = task.bits;
    if (task.waiting !== waiting || (bits & SteppedBit.Parked) === 0 || coroutine === undefined) return;
    // A task handle calls back in the context of whatever settled it, a promise reaction in
    // the context of the step that parked, which is the task's own.
    const foreignContext = (bits & SteppedBit.WaitsOnTask) !== 0;
    let next = bits & ~(SteppedBit.Parked | SteppedBit.WaitsOnTask);
    if (waiting.awaited !== undefined) {
      // Remembered with how it settled: the next wait on it is answered in the step.
      waiting.value = value;
      next = failed ? next | SteppedBit.LastFailed : next & ~SteppedBit.LastFailed;
    }
    task.bits = next;
    if (failed) coroutine.reject(value);
    else coroutine.resolve(value);
    if (!foreignContext && this.stepsWokenHere(task)) this.stepWoken(task, coroutine, waiting);
    else this.woken(task, foreignContext);
  }

  /**
   * What a task parked on its `async` body's promise waited for settled: its last step
   * ends it with that outcome (see `SteppedTask.parkOnBody`).
   * @internal called by the callbacks `SteppedTask.parkOnBody` subscribes
   */
  wakeSettled(task: SteppedTask, failed: boolean, value: unknown): void {
    const own = task as T;
    if ((own.bits & SteppedBit.Parked) === 0 || own.coroutine !== awaitingBody) return;
    own.bits &= ~SteppedBit.Parked;
    own.coroutine = Coroutine.settled(failed, value);
    // The reaction runs in the async context of the step that parked: the task's own.
    this.woken(own, false);
  }

  /**
   * Policy: true to step `task`, just woken by a promise reaction, right here in that
   * reaction (which runs in the task's own async context), with nobody listening to events;
   * the harness then takes a short path of its own for it. Set `listening` before returning
   * true. Default: false, and {@link Harness.woken} decides.
   */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- overrides use it
  protected stepsWokenHere(task: T): boolean {
    return false;
  }

  /**
   * Steps a task in the promise reaction that woke it (see {@link Harness.stepsWokenHere}).
   * The common outcome, a wait on a fresh native promise, parks it again here; every other
   * outcome goes the general way. A woken step most often ends in a wait, and the layers of
   * the general path (the policy's checks, an outcome switch, a park that sorts what it
   * waits on, flags set through accessors) cost more than the wait itself: a loop of waits
   * on fresh promises took 2.9 times a native `await` through them, and 1.2 times with the
   * generator resumed straight from the reaction (one process each, CPU time).
   */
  private stepWoken(task: T, coroutine: Coroutine, waiting: Waiting): void {
    task.state = 'running';
    this.steps++;
    let outcome = coroutine.stepResumed();
    if (outcome === Step.Wait) {
      const awaited = coroutine.value;
      if (awaited === waiting.awaited) {
        // The promise it last saw settle: answered within the step.
        if (this.answerSettled) outcome = this.answerSettledWaits(task, coroutine, waiting);
      } else if (
        awaited instanceof Promise &&
        Object.getPrototypeOf(awaited) === Promise.prototype &&
        (task.bits & SteppedBit.InterruptAfterStep) === 0
      ) {
        coroutine.value = undefined;
        task.state = 'suspended';
        task.bits |= SteppedBit.Parked;
        waiting.awaited = awaited;
        void awaited.then(waiting.onSettled, waiting.onFailed);
        return;
      }
    }
    this.afterStep(task, coroutine, outcome, false, Listening.Nobody);
  }
}
