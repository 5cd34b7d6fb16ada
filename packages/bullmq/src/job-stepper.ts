import { Listening, RingQueue, SlicedHarness, Step, Task } from '@spindle/core/kit';
import type { StepOutcome } from '@spindle/core/kit';
import type { SpawnOptions, Spawnable } from '@spindle/core';
import { eventTime } from '@spindle/core/events';
import type { EventOutbox } from './event-outbox.js';
import { JobTask } from './job-task.js';

/** How long stepping may hold the thread before Redis I/O gets a turn. */
const sliceMs = 5;

/** What the stepper asks of the runtime whose jobs it steps. */
export interface StepperHost {
  /** A job task's body spawned a child: make it a child job of the task's job. */
  spawnChild(parent: JobTask, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task;
  /** A job task settled: report its outcome and finish its job. */
  jobSettled(task: JobTask): void;
  /** After each run of steps: send the events gathered, take more jobs. */
  afterDrain(): void;
  /** A task waits while child jobs of its are out: its job may take a short lock (see ParkedLocks). */
  waitsForChildren(task: JobTask): void;
  /** A task whose job holds a waiting parent's short lock is ready to step: its job gets the long one back (see ParkedLocks). */
  lengthenLock(task: JobTask): void;
}

/**
 * Steps the tasks of the jobs a worker process holds on the kit's harness (one thread, time
 * slices, so that the process keeps talking to Redis while tasks compute). Its policy: a FIFO
 * ready queue in which a task stands at most once. Its events do not go to this process's
 * channels but to the outbox of the executor that spawned each job, and only for jobs whose
 * executor wants them.
 */
export class JobStepper extends SlicedHarness<JobTask> {
  private readonly ready = new RingQueue<JobTask>(64);
  private readonly outbox: EventOutbox;
  private readonly thread: number;
  private readonly host: StepperHost;
  /** Tasks begun and not settled whose executor wants their events. */
  private listened = 0;

  /**
   * @param label names the runtime in errors, and in the settle events core publishes here
   * @param thread the `thread` of events from here (the process id)
   */
  constructor(label: string, outbox: EventOutbox, thread: number, host: StepperHost) {
    // Bodies are task references spawned in other processes: no async context to keep.
    super(label, { sliceMs, asyncContext: false });
    this.outbox = outbox;
    this.thread = thread;
    this.host = host;
  }

  /** Gives a job's task its body and makes it ready for its first step. */
  run(task: JobTask, body: Spawnable, args: readonly unknown[]): void {
    this.begin(task, body, args);
    if (task.events !== undefined) this.listened++;
    this.schedule(task);
  }

  /** Runs a step, and tells the host when the task then waits while child jobs of its are out. */
  override step(task: JobTask, enter?: boolean): StepOutcome {
    const outcome = super.step(task, enter);
    if (outcome !== Step.Yield && task.liveChildren > 0 && !task.settled) this.host.waitsForChildren(task);
    return outcome;
  }

  /** @internal */
  spawnChild(parent: Task, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task {
    return this.host.spawnChild(this.own(parent), body, args, options);
  }

  /** @internal */
  settled(task: Task): void {
    const own = this.own(task);
    // Only tasks that were given a body counted as listened to (see run).
    if (own.events !== undefined && own.coroutine !== undefined) this.listened--;
    this.drop(own);
    this.host.jobSettled(own);
  }

  protected isOwn(task: Task): task is JobTask {
    return task instanceof JobTask;
  }

  protected pushReady(task: JobTask): void {
    if (task.queued) return;
    if (task.lockState !== 'long') this.host.lengthenLock(task);
    task.queued = true;
    this.ready.push(task);
  }

  protected takeReady(): JobTask | undefined {
    const task = this.ready.shift();
    if (task !== undefined) task.queued = false;
    return task;
  }

  protected readyCount(): number {
    return this.ready.size;
  }

  protected override afterDrain(): void {
    this.host.afterDrain();
  }

  /** Nobody in this process listens to these steps; an executor elsewhere may (see the publishers). */
  protected override listeners(): number {
    return this.listened > 0 ? Listening.Objects : Listening.Nobody;
  }

  protected override publishStep(task: JobTask, first: boolean): void {
    const events = task.events;
    if (events === undefined) return;
    this.outbox.emit(events, { kind: first ? 'start' : 'resume', taskId: task.id, executor: task.executor, thread: this.thread, time: eventTime() });
  }

  protected override publishSuspend(task: JobTask, reason: 'yield' | 'wait', waited?: unknown): void {
    const events = task.events;
    if (events === undefined) return;
    const event = { kind: 'suspend', taskId: task.id, executor: task.executor, thread: this.thread, time: eventTime(), reason } as const;
    // Task ids are unique across worker processes, so the wait-cycle detector can follow them.
    this.outbox.emit(events, waited instanceof Task ? { ...event, waitingOn: waited.id } : event);
  }

  protected override publishWake(task: JobTask): void {
    const events = task.events;
    if (events === undefined) return;
    this.outbox.emit(events, { kind: 'wake', taskId: task.id, executor: task.executor, thread: this.thread, time: eventTime() });
  }
}
