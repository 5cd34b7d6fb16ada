import { Interrupt, RingQueue, Step, Task, TimeSlice, assertCloneable } from '@spindle/core/kit';
import { eventTime } from '@spindle/core/events';
import type { EventOutbox } from './event-outbox.js';
import type { JobTask } from './job-task.js';

/** How long stepping may hold the thread before Redis I/O gets a turn. */
const sliceMs = 5;

/**
 * Steps the tasks of the jobs a worker process holds, one thread, with core's coroutines:
 * a FIFO ready queue, parked tasks woken by what they wait for, time-sliced so that the
 * process keeps talking to Redis (renewing locks, taking jobs) while tasks compute. Events
 * go to the outbox of the executor that spawned each job.
 */
export class JobStepper {
  private readonly outbox: EventOutbox;
  private readonly thread: number;
  private readonly afterDrain: () => void;
  private readonly ready = new RingQueue<JobTask>(64);
  private readonly slice = new TimeSlice(sliceMs);
  private scheduled = false;
  private draining = false;
  private readonly drainBound = (): void => {
    this.drain();
  };

  /**
   * @param thread the `thread` of events from here (the process id)
   * @param afterDrain runs after each run of steps (send events, take more jobs)
   */
  constructor(outbox: EventOutbox, thread: number, afterDrain: () => void) {
    this.outbox = outbox;
    this.thread = thread;
    this.afterDrain = afterDrain;
  }

  /** Makes a task ready for its next step. */
  enqueue(task: JobTask): void {
    if (task.queued) return;
    task.queued = true;
    this.ready.push(task);
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    if (this.slice.microtaskAllowed) queueMicrotask(this.drainBound);
    else setImmediate(this.drainBound);
  }

  /** Stops the body of a task whose cancellation or failure was requested. */
  interrupt(task: JobTask): void {
    const coroutine = task.coroutine;
    if (coroutine === undefined) {
      task.finish(false, undefined);
      return;
    }
    if (task.state === 'running') {
      task.interruptAfterStep = true;
      return;
    }
    const turns = task.turns;
    if (turns !== undefined) {
      task.turns = undefined;
      for (const turn of turns) turn.onCancel(task.cancellationError());
    }
    switch (coroutine.interrupt()) {
      case Interrupt.Now:
        if (task.parked) {
          task.parked = false;
          task.token++;
        }
        task.finish(false, undefined);
        return;
      case Interrupt.Step:
        if (task.parked) {
          task.parked = false;
          task.token++;
          this.enqueue(task);
        }
        return;
      case Interrupt.Await:
        // An async body cannot be stopped from outside; its signal has been aborted.
        return;
    }
  }

  /** An `async` body awaited `ctx.yield()`: its turn comes after the tasks ready now. */
  turn(task: JobTask, onTurn: () => void, onCancel: (error: unknown) => void): void {
    if (task.stopping) {
      onCancel(task.cancellationError());
      return;
    }
    (task.turns ??= []).push({ onTurn, onCancel });
    this.enqueue(task);
  }

  private drain(): void {
    this.scheduled = false;
    this.slice.enter();
    this.draining = true;
    try {
      for (let task = this.ready.shift(); task !== undefined; task = this.ready.shift()) {
        task.queued = false;
        if (task.bodyFinished) continue;
        const turns = task.turns;
        if (turns !== undefined && turns.length > 0) {
          const turn = turns.shift();
          if (turns.length === 0) task.turns = undefined;
          turn?.onTurn();
        } else {
          this.step(task);
        }
        if (!this.slice.tick() && this.ready.size > 0) {
          this.scheduled = true;
          setImmediate(this.drainBound);
          break;
        }
      }
    } finally {
      this.draining = false;
    }
    this.afterDrain();
  }

  private step(task: JobTask): void {
    const coroutine = task.coroutine;
    if (coroutine === undefined) return;
    const first = task.state === 'pending';
    task.state = 'running';
    const events = task.events;
    if (events !== undefined) this.outbox.emit(events, { kind: first ? 'start' : 'resume', taskId: task.id, executor: task.executor, thread: this.thread, time: eventTime() });
    switch (coroutine.step()) {
      case Step.Yield:
        task.state = 'suspended';
        this.emitSuspend(task, 'yield');
        this.enqueue(task);
        break;
      case Step.Wait:
        task.state = 'suspended';
        this.emitSuspend(task, 'wait', coroutine.value);
        this.park(task, coroutine.value);
        break;
      case Step.Done: {
        const value = coroutine.value;
        coroutine.value = undefined;
        task.state = 'suspended';
        try {
          assertCloneable([value], 'result');
        } catch (error) {
          task.finish(true, error);
          break;
        }
        task.finish(false, value);
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

  private park(task: JobTask, awaited: unknown): void {
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

  private wake(task: JobTask, token: number, failed: boolean, value: unknown): void {
    if (task.token !== token || !task.parked) return;
    task.parked = false;
    const coroutine = task.coroutine;
    if (coroutine === undefined) return;
    if (failed) coroutine.reject(value);
    else coroutine.resolve(value);
    const events = task.events;
    if (events !== undefined) this.outbox.emit(events, { kind: 'wake', taskId: task.id, executor: task.executor, thread: this.thread, time: eventTime() });
    this.enqueue(task);
  }

  private emitSuspend(task: JobTask, reason: 'yield' | 'wait', waited?: unknown): void {
    const events = task.events;
    if (events === undefined) return;
    const event = { kind: 'suspend', taskId: task.id, executor: task.executor, thread: this.thread, time: eventTime(), reason } as const;
    // Task ids are unique across worker processes, so the wait-cycle detector can follow them.
    this.outbox.emit(events, waited instanceof Task ? { ...event, waitingOn: waited.id } : event);
  }
}
