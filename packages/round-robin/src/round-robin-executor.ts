import { ExecutorBase, Interrupt, Listening, Step, Task, TaskEventCode, TimeSlice, assertCloneable, isTaskReference, resolveSliceOptions } from '@spindle/core';
import type { Coroutine, ExecutorCapabilities, SpawnOptions, Spawnable, StepOutcome } from '@spindle/core';
import type { RoundRobinOptions } from './options.js';
import { ReadyQueue } from './ready-queue.js';
import { RoundRobinTask } from './round-robin-task.js';

const capabilities: ExecutorCapabilities = Object.freeze({
  name: 'round-robin',
  parallel: false,
  closures: true,
  clonesArguments: false,
  timeSliced: true,
  ordering: 'round-robin',
});

/** Figures a round-robin executor keeps about itself. */
export interface RoundRobinStats {
  /** Tasks accepted and not yet settled. */
  readonly live: number;
  /** Tasks waiting in the ready queue. */
  readonly ready: number;
  /** Steps taken since the executor was made. */
  readonly steps: number;
  /** Times the executor handed the thread back to the event loop with work still ready. */
  readonly slicesExpired: number;
}

let executors = 0;

/**
 * Where the drain is queued as a microtask: a reaction to a settled promise rather than
 * `queueMicrotask`, which makes a new `AsyncResource` and a bound function for every
 * callback so as to carry the caller's async context. The drain needs none (every step
 * enters its own task's context), and an async body that awaits `ctx.yield()` queues it
 * twice per step.
 */
const settled = Promise.resolve();
/**
 * One step, called with the coroutine as `this`: `runInAsyncScope(fn, thisArg)` with no
 * further arguments spares the rest-parameter array a `(fn, undefined, coroutine)` call makes
 * on every step.
 */
function runStep(this: Coroutine): StepOutcome {
  return this.step();
}

/**
 * One thread, a FIFO ready queue, one step per ready task per turn.
 *
 * Fairness: a task that becomes ready goes to the back of the queue, so with K ready
 * tasks none waits for more than K-1 steps of others. Time-sliced: after `sliceMs` of
 * steps in one turn of the event loop the executor continues in `setImmediate`, so timers
 * and I/O are never starved. A parked task costs nothing until what it waits for settles.
 */
export class RoundRobinExecutor extends ExecutorBase<RoundRobinTask> {
  /** One thread, closures accepted, time-sliced, `round-robin` ordering. */
  readonly capabilities: ExecutorCapabilities = capabilities;
  private readonly slice: TimeSlice;
  private readonly ready = new ReadyQueue<RoundRobinTask>(64);
  private steps = 0;
  /** Who listened at the last drain ({@link Listening}): wakes between drains go the same way. */
  private listening: number = Listening.Nobody;
  private scheduled = false;
  private draining = false;
  private handOver = false;
  private readonly drainBound = (): void => {
    this.drain();
  };
  private readonly handOverBound = (): void => {
    void settled.then(this.drainBound);
  };

  /** @throws InvalidOptionsError naming the option at fault */
  constructor(options?: RoundRobinOptions) {
    const resolved = resolveSliceOptions('round-robin', options);
    super(resolved.label ?? `round-robin#${++executors}`);
    this.slice = new TimeSlice(resolved.sliceMs);
  }

  /** Current figures; cheap enough to poll. */
  get stats(): RoundRobinStats {
    return { live: this.live, ready: this.ready.size, steps: this.steps, slicesExpired: this.slice.expired };
  }

  /** @internal */
  interrupt(task: Task): void {
    const rr = this.own(task);
    if (rr.state === 'running') {
      rr.interruptAfterStep = true;
      return;
    }
    const turns = rr.turns;
    if (turns !== undefined) {
      rr.turns = undefined;
      for (const turn of turns) turn.onCancel(rr.cancellationError());
    }
    switch (rr.coroutine.interrupt()) {
      case Interrupt.Now:
        if (rr.parked) {
          rr.parked = false;
          rr.token++;
        }
        // If it is still queued, the drain loop skips it: its body has finished.
        rr.finish(false, undefined);
        return;
      case Interrupt.Step:
        if (rr.parked) {
          rr.parked = false;
          rr.token++;
          this.enqueue(rr);
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
    const rr = this.own(task);
    if (rr.stopping) {
      onCancel(rr.cancellationError());
      return;
    }
    (rr.turns ??= []).push({ onTurn, onCancel });
    this.enqueue(rr);
  }

  protected createTask(parent: Task | undefined, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): RoundRobinTask {
    const task = new RoundRobinTask(this, parent, body, args, options, isTaskReference(body));
    this.ready.admit(task);
    return task;
  }

  /** A settled task is never queued again. */
  protected override release(task: RoundRobinTask): void {
    this.ready.retire(task);
  }

  protected start(task: RoundRobinTask): void {
    this.enqueue(task);
  }

  protected isOwn(task: Task): task is RoundRobinTask {
    return task instanceof RoundRobinTask;
  }

  private enqueue(task: RoundRobinTask): void {
    this.ready.push(task);
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    // The drain's window publishes what is recorded until then (a wake, a spawn) in its batch.
    if (this.listening !== Listening.Nobody) this.eventLog.expectWindow();
    if (this.slice.microtaskAllowed) void settled.then(this.drainBound);
    else setImmediate(this.drainBound);
  }

  private drain(): void {
    this.scheduled = false;
    // Locals: the loop below runs once per step, and every property load counts there.
    const ready = this.ready;
    const slice = this.slice;
    const log = this.eventLog;
    slice.enter();
    this.draining = true;
    // One window per drain: with a batch subscriber, the drain's events go out as one batch.
    const listening = this.openEventWindow();
    this.listening = listening;
    try {
      for (let task = ready.shift(); task !== undefined; task = ready.shift()) {
        if (task.bodyFinished) continue;
        const turns = task.turns;
        if (turns !== undefined && turns.length > 0) {
          const turn = turns.shift();
          if (turns.length === 0) task.turns = undefined;
          turn?.onTurn();
          this.handOver = true;
        } else {
          this.step(task, listening);
        }
        if (this.handOver) {
          // An async body runs on in microtasks (its continuation, or its next
          // `await ctx.yield()` registering). Let them run now, in the body's turn, rather
          // than after every other ready task has stepped.
          this.handOver = false;
          if (ready.size > 0) {
            // Two hops: `await ctx.yield()` calls `then` on the yield point in a job of its
            // own, one microtask after the body continues; the turn must be asked for
            // before the drain goes on.
            this.scheduled = true;
            void settled.then(this.handOverBound);
            return;
          }
        }
        if (!slice.tick() && ready.size > 0) {
          this.scheduled = true;
          setImmediate(this.drainBound);
          return;
        }
      }
    } finally {
      this.draining = false;
      log.close();
    }
  }

  /**
   * One step of `task`; called only from `drain`, so a task that yields goes straight to the
   * queue. `listening` is the drain's: with nobody listening a step costs one comparison
   * for events, and with batch subscribers alone (and the coarse clock) it records straight
   * into the log, with one call as the step ends, small enough to be inlined, where the
   * general path takes several.
   */
  private step(task: RoundRobinTask, listening: number): void {
    const coroutine = task.coroutine;
    const first = task.state === 'pending';
    // Any flags but `Batch` alone (the lowest bit) are above it: the general path records the beginning now.
    if (listening > Listening.Batch) this.publishStep(task, first);
    task.state = 'running';
    this.steps++;
    const outcome = task.scope.runInAsyncScope(runStep, coroutine);
    switch (outcome) {
      case Step.Yield:
        task.state = 'suspended';
        if (listening !== Listening.Nobody) {
          if (listening === Listening.Batch) this.eventLog.stepped(first ? TaskEventCode.StartYield : TaskEventCode.ResumeYield, task.id);
          else this.publishSuspend(task, 'yield');
        }
        // The drain is running (it is the only caller): no need to schedule one.
        this.ready.push(task);
        break;
      case Step.Wait:
        task.state = 'suspended';
        if (listening !== Listening.Nobody) {
          const waited = coroutine.value;
          if (listening !== Listening.Batch) this.publishSuspend(task, 'wait', waited);
          else if (waited instanceof Task) this.eventLog.steppedOn(first ? TaskEventCode.StartWait : TaskEventCode.ResumeWait, task.id, waited.id);
          else this.eventLog.stepped(first ? TaskEventCode.StartWait : TaskEventCode.ResumeWait, task.id);
        }
        this.park(task, coroutine.value);
        if (coroutine.settling) this.handOver = true;
        break;
      case Step.Done: {
        const value = coroutine.value;
        coroutine.value = undefined;
        if (listening === Listening.Batch) this.eventLog.finish(first ? TaskEventCode.Start : TaskEventCode.Resume, task.id);
        this.complete(task, value);
        if (listening === Listening.Batch) this.eventLog.between();
        break;
      }
      case Step.Failed: {
        const error = coroutine.value;
        coroutine.value = undefined;
        if (listening === Listening.Batch) this.eventLog.finish(first ? TaskEventCode.Start : TaskEventCode.Resume, task.id);
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

  private complete(task: RoundRobinTask, value: unknown): void {
    task.state = 'suspended';
    if (task.reference) {
      try {
        assertCloneable([value], 'result');
      } catch (error) {
        task.finish(true, error);
        return;
      }
    }
    task.finish(false, value);
  }

  private park(task: RoundRobinTask, awaited: unknown): void {
    task.parked = true;
    const token = ++task.token;
    const onFulfilled = (value: unknown): void => {
      this.wake(task, token, false, value);
    };
    const onRejected = (error: unknown): void => {
      this.wake(task, token, true, error);
    };
    if (awaited instanceof Task) awaited.subscribe(onFulfilled, onRejected);
    else void Promise.resolve(awaited).then(onFulfilled, onRejected);
  }

  private wake(task: RoundRobinTask, token: number, failed: boolean, value: unknown): void {
    if (task.token !== token || !task.parked) return;
    task.parked = false;
    if (failed) task.coroutine.reject(value);
    else task.coroutine.resolve(value);
    // As the last drain's steps did: straight into the log for batch subscribers alone.
    if (this.listening === Listening.Batch) this.eventLog.wake(task.id);
    else this.publishWake(task);
    this.enqueue(task);
  }
}
