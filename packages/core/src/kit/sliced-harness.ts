import { Harness } from './harness.js';
import { settledPromise } from './settled-promise.js';
import { Listening } from './step-events.js';
import type { HarnessOptions } from './harness-options.js';
import type { SteppedTask } from './stepped-task.js';
import { TimeSlice } from './time-slice.js';

/** How a {@link SlicedHarness} runs its ready queue. */
export interface SlicedHarnessOptions extends HarnessOptions {
  /** How long a drain may hold the thread in one turn of the event loop, in milliseconds. */
  readonly sliceMs: number;
  /**
   * Step a woken task at once, in the callback that woke it, while the time slice lasts,
   * instead of queueing it behind the ready tasks: a trip through the queue saved per wait.
   * Default `false` (a woken task waits for its turn).
   */
  readonly stepOnWake?: boolean;
}

/**
 * A {@link Harness} that runs on one thread from a ready queue, in time slices: a drain takes
 * ready tasks one at a time ({@link SlicedHarness.takeReady}, the executor's queue
 * discipline) and runs each one's next step or turn, goes on in microtasks while the slice
 * lasts, and then continues in `setImmediate` so that timers and I/O are never starved.
 * After an `async` body's step it lets the body's microtasks run before it steps another
 * task. A drain's steps publish their events as one batch.
 */
export abstract class SlicedHarness<T extends SteppedTask = SteppedTask> extends Harness<T> {
  /** The time budget of a drain within one turn of the event loop. */
  protected readonly slice: TimeSlice;
  private readonly stepOnWake: boolean;
  private scheduled = false;
  private draining = false;
  /** Who listens to the steps run in wake-up callbacks in this turn of the event loop; -1 while no window is open for them. */
  private turnListening = -1;
  /** The time slice ({@link TimeSlice.turns}) in which nobody listened when a woken task was stepped in place. */
  private quietSlice = -1;
  private readonly drainBound = (): void => {
    this.drain();
  };
  private readonly handOverBound = (): void => {
    void settledPromise.then(this.drainBound);
  };
  private readonly closeTurnBound = (): void => {
    this.turnListening = -1;
    this.eventLog.close();
  };

  /** @param label the label used in events and errors */
  protected constructor(label: string, options: SlicedHarnessOptions) {
    super(label, options);
    this.slice = new TimeSlice(options.sliceMs);
    this.stepOnWake = options.stepOnWake ?? false;
    if (this.stepOnWake) this.wholeStepInContext = true;
  }

  /** Policy: puts `task` in the ready queue. */
  protected abstract pushReady(task: T): void;

  /** Policy: takes the task that steps next out of the ready queue, or `undefined` when it is empty. */
  protected abstract takeReady(): T | undefined;

  /** Entries in the ready queue. */
  protected abstract readyCount(): number;

  /**
   * Policy: the task {@link SlicedHarness.takeReady} would take next, left in place, if the
   * queue can tell cheaply; default `undefined` (unknown). Knowing it lets a drain give the
   * turns of several `await ctx.yield()` in a row before their bodies' microtasks run.
   */
  protected peekReady(): T | undefined {
    return undefined;
  }

  /**
   * With `stepOnWake`: true when a ready task should step before `task` (a higher
   * priority), so that the woken task is queued instead of stepped in place. Default: never.
   */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- overrides use it
  protected outranked(task: T): boolean {
    return false;
  }

  /** Called after each drain (a run of steps); default: nothing. */
  protected afterDrain(): void {
    // A harness that talks to something between runs of steps (a queue server) does it here.
  }

  /** Queues `task` and, unless a drain is running or due, schedules one. */
  protected schedule(task: T): void {
    this.pushReady(task);
    // The rest is out of line: a step that yields comes here, and this function is inlined
    // into the step with the ready queue's push, within V8's budget of inlined bytecode.
    if (!this.scheduled && !this.draining) this.requestDrain();
  }

  /** Schedules a drain (none is running or due). */
  private requestDrain(): void {
    this.scheduled = true;
    // The drain's window publishes what is recorded until then (a wake, a spawn) in its batch.
    if (__SPINDLE_EVENTS__ && this.listening !== Listening.Nobody) this.eventLog.expectWindow();
    if (this.slice.microtaskAllowed) void settledPromise.then(this.drainBound);
    else setImmediate(this.drainBound);
  }

  protected override mayAnswerInStep(): boolean {
    return this.slice.tick();
  }

  protected override stepsWokenHere(task: T): boolean {
    // Only a harness whose every step goes through `Harness.step` may take the short path.
    if (!this.stepOnWake || !this.quietTurns || this.draining) return false;
    const slice = this.slice;
    if (!slice.claim()) return false;
    if (__SPINDLE_EVENTS__ && this.quietSlice !== slice.turns) {
      // The first wake of this turn of the event loop asks who listens (a wake driven by
      // I/O usually is the first): nobody, and every wake of the turn takes the short path.
      if (this.turnListening >= 0 || this.listeners() !== Listening.Nobody) return false;
      this.quietSlice = slice.turns;
    }
    if (this.outranked(task)) return false;
    this.listening = Listening.Nobody;
    return true;
  }

  protected override woken(task: T, foreignContext: boolean): void {
    if (!this.stepOnWake) {
      super.woken(task, foreignContext);
      return;
    }
    const slice = this.slice;
    // Resume right here, in the callback, unless the slice is spent: this skips a trip
    // through the queue.
    // A drain has entered the slice already; else the wake begins one (or counts in it).
    if (!this.draining && slice.claim() && !this.outranked(task)) {
      // Nobody listened when this slice was asked: a wake costs two comparisons for events,
      // and the rest stays out of this function, small enough to be inlined.
      if (!__SPINDLE_EVENTS__ || (this.turnListening < 0 && this.quietSlice === slice.turns)) {
        this.listening = Listening.Nobody;
        this.step(task, foreignContext);
        return;
      }
      this.stepWokenListened(task, foreignContext);
      return;
    }
    if (__SPINDLE_EVENTS__) {
      if (this.quietSlice !== slice.turns) this.publishWake(task);
      // A promise reaction runs between steps, never inside one: a step run in place later
      // in this window begins after this wake, as one whole-step record.
      if (!foreignContext && this.turnListening === Listening.Batch) this.eventLog.between();
    }
    this.schedule(task);
  }

  private drain(): void {
    this.scheduled = false;
    const slice = this.slice;
    slice.enter();
    this.draining = true;
    // One window per drain: with a batch subscriber, the drain's events go out as one batch.
    // With batch subscribers alone (a Recorder), the short path records each step straight
    // into the log: the general path's publishers are for object subscribers.
    const listening = __SPINDLE_EVENTS__ ? this.openEventWindow() : Listening.Nobody;
    let quiet = this.quietTurns && !this.wholeStepInContext;
    if (__SPINDLE_EVENTS__) quiet &&= listening <= Listening.Batch;
    try {
      // Two loops, not one with a branch per turn: each is compiled on its own, so V8's
      // budget of inlined bytecode goes to the path that runs (the quiet loop inlines the
      // task's context entry; with `runTurn` inlined beside it, it did not).
      if (quiet) this.drainQuiet(slice, listening);
      else this.drainListened(slice);
    } finally {
      this.draining = false;
      if (__SPINDLE_EVENTS__) this.eventLog.close();
    }
    this.afterDrain();
  }

  /** The drain's loop with nobody listening, or batch subscribers alone: a started task's yield step takes {@link Harness.runQuietTurn}. */
  private drainQuiet(slice: TimeSlice, listening: number): void {
    // One call of takeReady in the loop, not two (a for loop's first and next): each is
    // inlined, and V8's budget of inlined bytecode is better spent on the step.
    for (;;) {
      const task = this.takeReady();
      if (task === undefined) return;
      // A finished task (cancelled while queued) is skipped by runQuietTurn.
      if (this.runQuietTurn(task, listening)) this.pushReady(task);
      if (this.stopsAfterTurn(slice)) return;
    }
  }

  /** The drain's loop when someone may listen (or steps are taken whole in their context). */
  private drainListened(slice: TimeSlice): void {
    for (;;) {
      const task = this.takeReady();
      if (task === undefined) return;
      if (task.bodyFinished) continue;
      this.runTurn(task);
      if (this.stopsAfterTurn(slice)) return;
    }
  }

  /**
   * After one turn of a drain: true when the drain must stop here, having scheduled its
   * continuation (an `async` body's microtasks go first, or the time slice is spent).
   */
  private stopsAfterTurn(slice: TimeSlice): boolean {
    if (this.handOver) {
      // An async body runs on in microtasks (its continuation, or its next
      // `await ctx.yield()` registering). Let them run now, in the body's turn, rather
      // than after every other ready task has stepped.
      this.handOver = false;
      // The next ready task also waits for its turn of `await ctx.yield()`: give it now, as
      // giving it after this body's microtasks would: both continuations run in this order.
      if (this.readyCount() > 0 && this.peekReady()?.hasTurns !== true) {
        // Two hops: where the body awaits the yield point (its first `ctx.yield()`), V8
        // calls its `then` in a job of its own, one microtask after the body continues;
        // the turn must be asked for before the drain goes on. (Later yields ask at the
        // call, within the continuation: the second hop is then spare.)
        this.scheduled = true;
        void settledPromise.then(this.handOverBound);
        return true;
      }
    }
    if (!slice.tick() && this.readyCount() > 0) {
      this.scheduled = true;
      setImmediate(this.drainBound);
      return true;
    }
    return false;
  }

  /** Steps a woken task in its wake-up callback when someone may listen: asks who, once per time slice. */
  private stepWokenListened(task: T, foreignContext: boolean): void {
    let listening = this.turnListening;
    if (listening < 0) {
      // Who listens is asked once per time slice (a turn of the event loop), as a drain
      // asks once per drain.
      listening = this.listeners();
      if (listening === Listening.Nobody) {
        this.quietSlice = this.slice.turns;
        this.listening = listening;
        this.step(task, foreignContext);
        return;
      }
      // One window for every step run in a wake-up callback in this turn of the event
      // loop, as a drain has one for its steps: opened by the first, closed in an
      // immediate (as the time slice is), so that its records go out as one batch (or one
      // per 1,024 numbers). A window per turn of microtasks would publish a batch per step
      // for a task that awaits one promise after another.
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
      this.step(task, foreignContext);
      // A step that recorded nothing still leaves its wake.
      if (this.wokenHere === task) this.eventLog.wake(task.id);
      this.wokenHere = outer;
      return;
    }
    this.publishWake(task);
    this.step(task, foreignContext);
    // With the precise clock, the step's end is now, not when the log next reads the clock.
    if ((listening & Listening.Batch) !== 0) this.eventLog.stampNow();
  }
}
