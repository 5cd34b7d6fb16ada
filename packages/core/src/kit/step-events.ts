import { TaskEventCode, batchChannel } from '../events/event-batch.js';
import { TaskEventLog } from '../events/event-log.js';
import { publishTaskEventObject, wantsObjects } from '../events/event-stream.js';
import { channels, currentThread, eventTime } from '../events/channels.js';
import { Task } from './task.js';

/**
 * Who listens to a harness's step events, as bit flags (see {@link Harness.listening}).
 * `Batch` is the lowest bit, so any flags above `Batch` alone mean the general path.
 */
export const Listening = {
  Nobody: 0,
  /** Batch-channel subscribers: steps go into the event log. */
  Batch: 1,
  /** Subscribers that want event objects: steps go through `publishStep` and `publishSuspend`. */
  Objects: 2,
  /**
   * With `Batch`: the window reads the precise clock, so a step's beginning needs a clock
   * read of its own; steps go through `publishStep` and `publishSuspend`.
   */
  Precise: 4,
} as const;

/**
 * The lifecycle events of the steps a {@link Harness} runs: who listens, and publishing to
 * them on the general path. The fast paths (nobody; batch subscribers alone, one record
 * per step) are in the harness's step itself. Executors that forward events elsewhere (to
 * another thread or process) override the three `publish` methods and set
 * {@link StepEvents.listening} themselves.
 */
export abstract class StepEvents<T extends Task = Task> {
  readonly label: string;
  /** Where lifecycle events gather for the batch channel. */
  readonly eventLog: TaskEventLog;
  /**
   * The task being stepped in its wake-up callback while batch subscribers listen: its wake
   * is recorded with its step, when the step ends (see `TaskEventLog.wokenStepped`).
   */
  protected wokenHere: T | undefined = undefined;
  /**
   * Who listens to the events of the steps being run ({@link Listening} flags): set by
   * whoever runs steps (a drain's window, or a step outside one), read by every step.
   */
  protected listening: number = Listening.Nobody;

  /** @param label the label used in events and errors */
  protected constructor(label: string) {
    this.label = label;
    this.eventLog = new TaskEventLog(label);
  }

  /**
   * Opens an event window (around a drain of the ready queue, so that it publishes one
   * batch) and sets {@link StepEvents.listening}: a drain can then skip every event check of
   * its steps for nobody, and record straight into the log for batch subscribers alone.
   * Subscribers that arrive during a window are seen from the next one on. Close it with
   * `eventLog.close()`.
   * @param listening who listens, if the caller has just asked ({@link StepEvents.listeners})
   */
  protected openEventWindow(listening: number = this.listeners()): number {
    const log = this.eventLog;
    log.open();
    if ((listening & Listening.Batch) !== 0) {
      if (!log.coarse) listening |= Listening.Precise;
      // Steps will be recorded with `stepped()`: the first begins at the window's time.
      else if (listening === Listening.Batch) log.enterSteps();
    }
    this.listening = listening;
    return listening;
  }

  /** Records, in a window of batch steps, a step of the task stepped in its wake-up callback: with its wake, in one record where it can. */
  protected recordWokenStep(code: typeof TaskEventCode.ResumeYield | typeof TaskEventCode.ResumeWait, task: T, waitingOn: number): void {
    this.wokenHere = undefined;
    this.eventLog.wokenStepped(code, task.id, waitingOn);
  }

  /** Records the beginning of a step whose body ended, in a window of batch steps (with its wake first, for a task stepped in its wake-up callback). */
  protected recordFinish(task: T, first: boolean): void {
    if (this.wokenHere === task) {
      this.wokenHere = undefined;
      this.eventLog.wokenFinish(task.id);
    } else {
      this.eventLog.finish(first ? TaskEventCode.Start : TaskEventCode.Resume, task.id);
    }
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
   * Publishes `start` (first step) or `resume` to whoever listens. Called at a step's
   * beginning on the general path (any {@link Listening} flags above `Batch` alone).
   * Executors that forward events elsewhere (to another thread) override the three
   * `publish` methods.
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

  /**
   * Publishes `wake`, if anybody listens. Called for a wake-up outside a window of batch
   * steps whoever listens (a subscriber may have come since the last window), so an
   * override checks for listeners itself.
   */
  protected publishWake(task: T): void {
    if (batchChannel.hasSubscribers) this.eventLog.wake(task.id);
    if (wantsObjects(channels.wake)) {
      publishTaskEventObject({ kind: 'wake', taskId: task.id, executor: this.label, thread: currentThread, time: eventTime() }, channels.wake);
    }
  }
}
