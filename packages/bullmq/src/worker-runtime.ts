import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setImmediate as turn, setTimeout as delay } from 'node:timers/promises';
import { deserialize } from 'node:v8';
import type { Redis } from 'ioredis';
import { SpindleError, taskRef } from '@spindle/core';
import type { SpawnOptions, Spawnable } from '@spindle/core';
import { decodeError, encodeError } from '@spindle/core/kit';
import type { Task } from '@spindle/core/kit';
import { ChildJobs } from './child-jobs.js';
import type { ChildHost } from './child-jobs.js';
import type { ChildRef } from './child-outcomes.js';
import { TaskTimeoutError, WorkerLostError } from './errors.js';
import { EventOutbox } from './event-outbox.js';
import { finishJob } from './job-finish.js';
import { JobStepper } from './job-stepper.js';
import type { StepperHost } from './job-stepper.js';
import { JobTask } from './job-task.js';
import { decodeJobArguments } from './job-values.js';
import { ManualWorker } from './manual-worker.js';
import { Status, keysOf, pinnedQueueName } from './messages.js';
import type { Keys, OutcomeMessage, SpindleJob, StatusCode } from './messages.js';
import type { ResolvedWorkerOptions } from './worker-options.js';
import { OutcomeReporter } from './outcome-reporter.js';
import { ParkedLocks } from './parked-locks.js';
import { close, connect } from './redis.js';
import { processToken } from './shared-memory.js';

/** Cancellations remembered for jobs not (yet) seen here: one may arrive before its job. */
const rememberedCancels = 10_000;
/** Longest wait for BullMQ's rate limiter before looking again (its own loop's `maximumRateLimitDelay`). */
const maxLimitWaitMs = 30_000;

const cancelledByOwner = new SpindleError('the task was cancelled by its owner');
const handedBack = new SpindleError('the worker stopped before the task started: its job went back to the queue');

/**
 * What a runtime serves from the start: the shared queue (a worker process, an executor's
 * `localWorker`) and its process's pinned jobs (an executor's; a worker process serves
 * those once one of its tasks pins a child).
 */
export interface RuntimeRole {
  readonly shared: boolean;
  readonly pinned: boolean;
}

/**
 * The inside of a worker process: takes jobs from BullMQ by hand (`getNextJob`), steps each
 * job's task reference on the kit's harness (JobStepper), and reports the outcome to the
 * spawner's inbox and completes or fails the job in BullMQ in an order that a process
 * dying in between cannot turn into a task with no outcome (see finishJob). It takes
 * another job only while fewer than `concurrency` of its tasks are ready to run: a task
 * that waits (on a child job, a timer, I/O) frees its place, so a parent joining its
 * children never blocks the process, and its job's lock is renewed short (ParkedLocks).
 *
 * Children spawned inside a task are child jobs of its job (BullMQ flows) that any worker
 * may run; their outcomes come back to this runtime's inbox (ChildJobs).
 */
export class WorkerRuntime implements StepperHost {
  /** Name of this runtime in BullMQ's worker list: `<hostname>-<pid>` by default. */
  readonly name: string;
  /** Events from this process carry this as their `thread`, so each process is a row of its own. */
  readonly thread = process.pid;
  /** Label on the settle events core publishes here about this runtime's tasks. */
  readonly label: string;
  private readonly options: ResolvedWorkerOptions;
  private readonly role: RuntimeRole;
  private readonly keys: Keys;
  private readonly token = randomUUID();
  private commands: Redis | undefined = undefined;
  private subscriber: Redis | undefined = undefined;
  private children: ChildJobs | undefined = undefined;
  private readonly workers = new Map<string, ManualWorker>();
  private readonly jobs = new Map<string, JobTask>();
  private readonly finishing = new Set<Promise<void>>();
  /** The loops taking jobs, one per queue served. */
  private readonly fetching = new Set<Promise<void>>();
  private readonly cancels = new Map<string, unknown>();
  private readonly outbox: EventOutbox;
  private readonly stepper: JobStepper;
  private readonly parkedLocks: ParkedLocks;
  private readonly reporter: OutcomeReporter;
  private inFetch = 0;
  private roomWaiters: (() => void)[] = [];
  private stopWaiters: (() => void)[] = [];
  private stopping = false;
  /** Aborts a wait for the rate limiter when the runtime stops. */
  private readonly stopSignal = new AbortController();
  private starting: Promise<void> | undefined = undefined;
  private stopped: Promise<void> | undefined = undefined;
  private completed = 0;
  private failed = 0;
  private lastError: unknown = undefined;
  private readonly onError = (error: unknown): void => {
    this.lastError = error;
  };

  constructor(options: ResolvedWorkerOptions, role: RuntimeRole) {
    this.options = options;
    this.role = role;
    this.keys = keysOf(options.prefix, options.queueName);
    this.name = options.name ?? `${hostname()}-${process.pid}`;
    this.label = `bullmq-worker:${this.name}:${this.token}`;
    this.outbox = new EventOutbox(this.label, this.thread, this.onError);
    this.stepper = new JobStepper(this.label, this.outbox, this.thread, this);
    this.parkedLocks = new ParkedLocks(options.parkedLockDuration, options.lockDuration, this.onError);
    this.reporter = new OutcomeReporter(options.prefix, this.outbox, () => this.commands, this.onError);
  }

  /** Jobs held now, and finished since start. */
  get stats(): { readonly held: number; readonly completed: number; readonly failed: number } {
    return { held: this.jobs.size, completed: this.completed, failed: this.failed };
  }

  /** The last error a connection or worker reported, for diagnosis. */
  get error(): unknown {
    return this.lastError;
  }

  /** Connects and starts taking jobs; resolves once it is ready to. */
  start(): Promise<void> {
    this.starting ??= this.init();
    return this.starting;
  }

  /**
   * Stops taking jobs, hands back at once the jobs whose task has not started (its module
   * may still be loading), lets the others finish and report (for at most `lockDuration`),
   * then closes its connections. Idempotent.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async init(): Promise<void> {
    const commands = connect(this.options.connection, `spindle:${this.name}`);
    commands.on('error', this.onError);
    this.commands = commands;
    const subscriber = commands.duplicate();
    subscriber.on('error', this.onError);
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => {
      this.cancelMessage(message);
    });
    await subscriber.subscribe(this.keys.cancel);
    // Ids of children spawned here: unique across every runtime that ever served the queue.
    const seq = await commands.incr(this.keys.runtimes);
    const blocking = commands.duplicate();
    blocking.on('error', this.onError);
    const o = this.options;
    const host: ChildHost = {
      label: this.label,
      thread: this.thread,
      prefix: o.prefix,
      queueName: o.queueName,
      stalledInterval: o.stalledInterval,
      idBase: seq * 2 ** 32,
      outbox: this.outbox,
      pinnedQueue: () => {
        const queueName = this.pinnedQueue();
        this.serve(queueName);
        return queueName;
      },
      waitsForChildren: (task) => {
        this.parkedLocks.handOver(task);
      },
      childrenSettled: (task) => {
        this.parkedLocks.lengthen(task);
      },
      childSettled: () => {
        this.pump();
      },
      onError: this.onError,
    };
    this.children = new ChildJobs(host, commands, blocking, this.keys, this.token, () => {
      this.outbox.flush(this.commands);
    });
    this.children.start();
    this.parkedLocks.start();
    if (this.isStopping()) return;
    if (this.role.shared) this.serve(o.queueName);
    if (this.role.pinned) this.serve(this.pinnedQueue());
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    this.pump();
    try {
      await this.starting;
    } catch {
      // It never connected: there is nothing to drain.
    }
    // Not begun, so nothing to finish: another worker runs them (a module that never ends
    // loading, say one that spawns at its top level, must not hold the stop up).
    for (const task of [...this.jobs.values()]) {
      if (!task.unstarted || task.bodyFinished) continue;
      task.handedBack = true;
      task.cancel(handedBack);
    }
    if (this.jobs.size > 0 || this.finishing.size > 0) {
      // At most one lock's length: a parent here may wait on children that only this
      // stopping worker would have run. What is still held then runs again elsewhere once
      // its lock expires (BullMQ's stalled-job check).
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.stopWaiters.push(resolve);
        timer = setTimeout(resolve, this.options.lockDuration);
      });
      clearTimeout(timer);
    }
    this.parkedLocks.stop();
    // Closing ends a fetch under way; one that got a job first hands it back: wait for that.
    await Promise.allSettled([...this.workers.values()].map((worker) => worker.close(true)));
    await Promise.allSettled([...this.fetching]);
    this.workers.clear();
    await this.children?.stop();
    this.outbox.close();
    await Promise.allSettled([this.subscriber, this.commands].map((redis) => (redis === undefined ? Promise.resolve() : close(redis))));
  }

  private pinnedQueue(): string {
    return pinnedQueueName(this.options.queueName, processToken());
  }

  /** Takes jobs from a queue (once per queue). */
  private serve(queueName: string): void {
    const commands = this.commands;
    if (commands === undefined || this.workers.has(queueName) || this.stopping) return;
    const o = this.options;
    const worker = new ManualWorker(queueName, {
      connection: commands,
      prefix: o.prefix,
      name: this.name,
      lockDuration: o.lockDuration,
      stalledInterval: o.stalledInterval,
      maxStalledCount: o.maxStalledCount,
      skipVersionCheck: true,
    });
    worker.on('error', this.onError);
    // In hand-fetching mode BullMQ fails a job itself in one case only: it stalled more
    // often than maxStalledCount (its workers died). Its spawner must hear of it.
    worker.on('failed', (job) => {
      if (job !== undefined) this.lost(job);
    });
    this.workers.set(queueName, worker);
    worker.startManual();
    const loop = this.fetch(worker);
    this.fetching.add(loop);
  }

  private async fetch(worker: ManualWorker): Promise<void> {
    let n = 0;
    while (!this.stopping) {
      await this.room();
      if (this.isStopping()) return;
      const lock = `${worker.id}:${n++}`;
      this.inFetch++;
      let job: SpindleJob | undefined;
      try {
        job = await worker.getNextJob(lock, { block: true });
      } catch (error) {
        this.inFetch--;
        if (this.isStopping()) return;
        this.lastError = error;
        await delay(500);
        continue;
      }
      this.inFetch--;
      if (job === undefined) {
        await this.afterNothing(worker);
        continue;
      }
      if (this.isStopping()) {
        // Taken by a fetch that was under way when stop() came: hand it back at once.
        await job.moveToWait(lock).catch(this.onError);
        return;
      }
      this.startJob(job, lock, worker);
    }
  }

  /**
   * A fetch got no job: a blocking wait ended, or the queue's rate limiter holds the worker
   * back. Then `getNextJob` returns at once without asking Redis, so the loop waits out the
   * limit, as BullMQ's own loop does; and it always yields a turn, so that no fetch that
   * comes back empty at once can hold the event loop.
   */
  private async afterNothing(worker: ManualWorker): Promise<void> {
    const limitedFor = worker.limitedFor;
    if (limitedFor === 0) {
      await turn();
      return;
    }
    await delay(Math.min(limitedFor, maxLimitWaitMs), undefined, { signal: this.stopSignal.signal }).catch(() => undefined);
  }

  /** Read through a method: `stop()` may have run during an await, which narrowing cannot see. */
  private isStopping(): boolean {
    return this.stopping;
  }

  /** Resolves when the runtime may take another job. */
  private room(): Promise<void> {
    if (this.stopping || this.hasRoom()) return Promise.resolve();
    return new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  private hasRoom(): boolean {
    if (this.jobs.size + this.inFetch >= this.options.maxJobs) return false;
    let runnable = this.inFetch;
    for (const task of this.jobs.values()) {
      if (!task.parked && !task.bodyFinished && ++runnable >= this.options.concurrency) return false;
    }
    return true;
  }

  /** Something changed that may make room (a task parked or finished) or let a stop finish. */
  private pump(): void {
    if (this.roomWaiters.length > 0 && (this.stopping || this.hasRoom())) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const resolve of waiters) resolve();
    }
    if (this.stopping && this.jobs.size === 0 && this.finishing.size === 0 && this.stopWaiters.length > 0) {
      const waiters = this.stopWaiters;
      this.stopWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private startJob(job: SpindleJob, lock: string, worker: ManualWorker): void {
    const data = job.data;
    const task = new JobTask(this.stepper, job, lock, worker, { ...(data.n === undefined ? {} : { name: data.n }), ...(data.p === undefined ? {} : { priority: data.p }) });
    // A run of the same job may still be here, having lost its lock (the job stalled and
    // came back): this run replaces it, and that one's end leaves this one's entry alone.
    this.jobs.set(task.jobId, task);
    const signal = worker.hold(job, lock);
    signal?.addEventListener('abort', () => {
      task.cancel(signal.reason);
    });
    if (this.cancels.has(task.jobId)) {
      task.cancel(this.cancels.get(task.jobId));
      this.cancels.delete(task.jobId);
    }
    if (task.settled) return;
    let args: unknown[];
    try {
      args = decodeJobArguments(data.a, data.s);
    } catch (error) {
      task.finish(true, error);
      return;
    }
    const timeout = data.t;
    if (timeout !== undefined) {
      task.timer = setTimeout(() => {
        task.cancel(new TaskTimeoutError(timeout));
      }, timeout);
    }
    this.stepper.run(task, taskRef(data.m, data.x), args);
  }

  /** A cancellation announced on the cancel channel: `<job id>[ <base64 encoded reason>]`. */
  private cancelMessage(message: string): void {
    const space = message.indexOf(' ');
    if (space < 0) {
      this.cancelRequested(message, cancelledByOwner);
      return;
    }
    let reason: unknown = cancelledByOwner;
    try {
      reason = decodeError(deserialize(Buffer.from(message.slice(space + 1), 'base64')));
    } catch {
      // A reason this process cannot read: the generic one will do.
    }
    this.cancelRequested(message.slice(0, space), reason);
  }

  private cancelRequested(jobId: string, reason: unknown): void {
    const task = this.jobs.get(jobId);
    if (task !== undefined) {
      task.cancel(reason);
      return;
    }
    // The job may be on its way here (moved to active, not yet received): remember it.
    this.cancels.set(jobId, reason);
    if (this.cancels.size > rememberedCancels) {
      const oldest = this.cancels.keys().next();
      if (oldest.done !== true) this.cancels.delete(oldest.value);
    }
  }

  /** A job of ours failed for good inside BullMQ (it stalled too often): tell its spawner. */
  private lost(job: SpindleJob): void {
    const data = job.data;
    const error = new WorkerLostError(job.id ?? '?', job.failedReason || 'it stalled more often than maxStalledCount allows');
    void this.reporter.report(job, [1, data.i, Status.rejected, encodeError(error)], this.childRef(job));
  }

  /** The job as its parent keys its outcome, if it is a child job (see child-outcomes.ts). */
  private childRef(job: SpindleJob): ChildRef | undefined {
    const parentKey = job.parentKey;
    return parentKey === undefined ? undefined : { parentKey, childKey: `${this.options.prefix}:${job.queueName}:${job.id ?? ''}` };
  }

  // ------------------------------------------------------------------ StepperHost

  /** @internal */
  spawnChild(parent: JobTask, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task {
    const children = this.children;
    if (children === undefined) throw new TypeError('children are spawned by tasks that run in this worker');
    return children.spawn(parent, body, args, options);
  }

  /** @internal */
  waitsForChildren(task: JobTask): void {
    this.parkedLocks.handOver(task);
  }

  /** @internal */
  lengthenLock(task: JobTask): void {
    this.parkedLocks.lengthen(task);
  }

  /** @internal */
  afterDrain(): void {
    this.outbox.flush(this.commands);
    this.pump();
  }

  /** @internal */
  jobSettled(task: JobTask): void {
    if (task.timer !== undefined) clearTimeout(task.timer);
    task.timer = undefined;
    const o = this.options;
    // A parent's completion may wait this long for its children's (see finishJob).
    const patienceMs = 2 * (o.lockDuration + o.stalledInterval);
    let finishing: Promise<void>;
    if (task.handedBack) {
      finishing = task.job.moveToWait(task.lock).then(() => undefined, this.onError);
    } else {
      const value = task.observeOutcome();
      const status: StatusCode = task.state === 'fulfilled' ? Status.fulfilled : task.state === 'cancelled' ? Status.cancelled : Status.rejected;
      const report = (job: SpindleJob, message: OutcomeMessage, child?: ChildRef): Promise<unknown> => this.reporter.report(job, message, child);
      finishing = finishJob(task.job, task.lock, status, value, report, this.childRef(task.job), patienceMs).then(
        (how) => {
          if (how === 'completed') this.completed++;
          else this.failed++;
        },
        // The job's lock was lost (it stalled and runs elsewhere, which reports) or Redis
        // refused: either way BullMQ runs it again.
        this.onError,
      );
    }
    finishing = finishing.finally(() => {
      this.finishing.delete(finishing);
      this.parkedLocks.forget(task);
      // Unless the job stalled meanwhile and this runtime took it again: that run holds it now.
      if (this.jobs.get(task.jobId) === task) {
        this.jobs.delete(task.jobId);
        task.worker.release(task.jobId);
      }
      this.pump();
    });
    this.finishing.add(finishing);
    this.pump();
  }
}

