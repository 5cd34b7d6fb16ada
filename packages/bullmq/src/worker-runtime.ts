import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { deserialize } from 'node:v8';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { InvalidTaskError, SpindleError, taskRef } from '@spindle/core';
import { describeBody, validateSpawn } from '@spindle/core/kit';
import { eventTime } from '@spindle/core/events';
import type { SpawnOptions, Spawnable, TaskReference } from '@spindle/core';
import type { Task } from '@spindle/core/kit';
import { capabilities } from './capabilities.js';
import { decodeError, decodeValues, encodeError, encodeValues } from './codec.js';
import type { Encoded } from './codec.js';
import { TaskTimeoutError, WorkerLostError } from './errors.js';
import { EventOutbox } from './event-outbox.js';
import { Inbox, post } from './inbox.js';
import { finishJob, outcomeFromReturnValue } from './job-finish.js';
import { JobOwner } from './job-owner.js';
import { JobStepper } from './job-stepper.js';
import type { JobHost } from './job-owner.js';
import { JobTask } from './job-task.js';
import { ManualWorker } from './manual-worker.js';
import { Status, keysOf, pinnedQueueName } from './messages.js';
import type { InboxMessage, JobData, Keys, StatusCode } from './messages.js';
import type { ResolvedWorkerOptions } from './options.js';
import { settleWith } from './outcome.js';
import { close, connect } from './redis.js';
import { RemoteTask } from './remote-task.js';
import { processToken } from './shared-memory.js';
import { Spawner } from './spawner.js';
import type { Outbound } from './spawner.js';

/** Cancellations remembered for jobs not (yet) seen here: one may arrive before its job. */
const rememberedCancels = 10_000;

const cancelledByOwner = new SpindleError('the task was cancelled by its owner');

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
 * The inside of a worker process: takes jobs from BullMQ by hand (`getNextJob`), runs each
 * job's task reference with core's Task and Coroutine, and reports the outcome to the
 * spawner's inbox and completes or fails the job in BullMQ in an order that a process
 * dying in between cannot turn into a task with no outcome (see finishJob). It takes
 * another job only while fewer than `concurrency` of its tasks are ready to run: a task
 * that waits (on a child job, a timer, I/O) frees its place, so a parent joining its
 * children never blocks the process.
 *
 * Children spawned inside a task are child jobs of its job (BullMQ flows) that any worker
 * may run; their outcomes come back to this runtime's inbox.
 */
export class WorkerRuntime implements JobHost {
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
  private inbox: Inbox | undefined = undefined;
  private spawner: Spawner | undefined = undefined;
  private readonly workers = new Map<string, ManualWorker>();
  private readonly jobs = new Map<string, JobTask>();
  private readonly finishing = new Set<Promise<void>>();
  private readonly cancels = new Map<string, unknown>();
  private readonly outbox: EventOutbox;
  private readonly stepper: JobStepper;
  private fetching = 0;
  private roomWaiters: (() => void)[] = [];
  private stopWaiters: (() => void)[] = [];
  private stopping = false;
  private starting: Promise<void> | undefined = undefined;
  private stopped: Promise<void> | undefined = undefined;
  private idBase = 0;
  private nextChild = 0;
  private completed = 0;
  private failed = 0;
  private lastError: unknown = undefined;
  private recovery: ReturnType<typeof setInterval> | undefined = undefined;

  constructor(options: ResolvedWorkerOptions, role: RuntimeRole) {
    this.options = options;
    this.role = role;
    this.keys = keysOf(options.prefix, options.queueName);
    this.name = options.name ?? `${hostname()}-${process.pid}`;
    this.label = `bullmq-worker:${this.name}:${this.token}`;
    this.outbox = new EventOutbox(this.label, this.thread, (error) => {
      this.lastError = error;
    });
    this.stepper = new JobStepper(this.outbox, this.thread, () => {
      this.outbox.flush(this.commands);
      this.pump();
    });
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
   * Stops taking jobs, lets the jobs it holds finish and report, then closes its
   * connections. Idempotent.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  // ------------------------------------------------------------------ start and stop

  private async init(): Promise<void> {
    const commands = connect(this.options.connection, `spindle:${this.name}`);
    const onError = (error: unknown): void => {
      this.lastError = error;
    };
    commands.on('error', onError);
    this.commands = commands;
    const subscriber = commands.duplicate();
    subscriber.on('error', onError);
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => {
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
    });
    await subscriber.subscribe(this.keys.cancel);
    // Ids of children spawned here: unique across every runtime that ever served the queue.
    const seq = await commands.incr(this.keys.runtimes);
    this.idBase = seq * 2 ** 32;
    const blocking = commands.duplicate();
    blocking.on('error', onError);
    this.inbox = new Inbox(blocking, this.keys.inbox(this.token), (message) => {
      this.receive(message);
    }, onError);
    this.inbox.start();
    this.spawner = new Spawner(commands, this.options.prefix, this.keys, { attempts: 1, backoff: undefined }, {
      beforeEnqueue: () => {
        this.outbox.flush(this.commands);
      },
      removed: (outbound) => {
        outbound.task.finish(false, undefined);
      },
      failed: (outbound, error) => {
        outbound.task.finish(true, error);
      },
    });
    // Outcomes of children whose worker completed them and died before saying so.
    this.recovery = setInterval(() => {
      void this.recover();
    }, this.options.stalledInterval);
    this.recovery.unref();
    if (this.isStopping()) return;
    if (this.role.shared) this.serve(this.options.queueName);
    if (this.role.pinned) this.serve(this.pinnedQueue());
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.pump();
    try {
      await this.starting;
    } catch {
      // It never connected: there is nothing to drain.
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
    if (this.recovery !== undefined) clearInterval(this.recovery);
    await Promise.allSettled([...this.workers.values()].map((worker) => worker.close(true)));
    this.workers.clear();
    this.inbox?.stop();
    await this.spawner?.close();
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
    worker.on('error', (error) => {
      this.lastError = error;
    });
    // In hand-fetching mode BullMQ fails a job itself in one case only: it stalled more
    // often than maxStalledCount (its workers died). Its spawner must hear of it.
    worker.on('failed', (job) => {
      if (job !== undefined) this.lost(job);
    });
    this.workers.set(queueName, worker);
    worker.startManual();
    void this.fetch(worker);
  }

  private async fetch(worker: ManualWorker): Promise<void> {
    let n = 0;
    while (!this.stopping) {
      await this.room();
      if (this.isStopping()) return;
      const lock = `${worker.id}:${n++}`;
      this.fetching++;
      let job: Job<JobData, string | null> | undefined;
      try {
        job = await worker.getNextJob(lock, { block: true });
      } catch (error) {
        this.fetching--;
        if (this.isStopping()) return;
        this.lastError = error;
        await delay(500);
        continue;
      }
      this.fetching--;
      if (job === undefined) continue;
      if (this.isStopping()) {
        // Taken by a fetch that was under way when stop() came: hand it back at once.
        await job.moveToWait(lock).catch((error: unknown) => {
          this.lastError = error;
        });
        return;
      }
      this.startJob(job, lock, worker);
    }
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
    if (this.jobs.size + this.fetching >= this.options.maxJobs) return false;
    let runnable = this.fetching;
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

  // ------------------------------------------------------------------ jobs

  private startJob(job: Job<JobData, string | null>, lock: string, worker: ManualWorker): void {
    const data = job.data;
    const jobId = job.id ?? '';
    const owner = new JobOwner(this, data);
    const task = new JobTask(owner, job, lock, worker, data.n === undefined ? undefined : { name: data.n });
    this.jobs.set(jobId, task);
    const signal = worker.hold(job, lock);
    signal?.addEventListener('abort', () => {
      task.cancel(signal.reason);
    });
    if (this.cancels.has(jobId)) {
      task.cancel(this.cancels.get(jobId));
      this.cancels.delete(jobId);
    }
    if (task.stopping) {
      task.finish(false, undefined);
      return;
    }
    let args: unknown[];
    try {
      args = decodeValues({ bytes: data.a, shared: data.s ?? [] });
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
    task.begin(taskRef(data.m, data.x), args);
    this.stepper.enqueue(task);
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
  private lost(job: Job<JobData, string | null>): void {
    const data = job.data;
    const error = new WorkerLostError(job.id ?? '?', job.failedReason || 'it stalled more often than maxStalledCount allows');
    void this.report(data.r, [1, data.i, Status.rejected, encodeError(error)]);
  }

  /** Sends an outcome to an inbox; an outcome that cannot be serialised becomes an error saying so. */
  private report(inbox: string, message: InboxMessage): Promise<unknown> {
    const commands = this.commands;
    if (commands === undefined) return Promise.resolve();
    this.outbox.flush(commands);
    try {
      return post(commands, inbox, message).catch((error: unknown) => {
        this.lastError = error;
      });
    } catch (error) {
      if (message[0] !== 1) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      const replacement = new InvalidTaskError('not-cloneable', `the task's outcome cannot be serialised: ${reason}`);
      return post(commands, inbox, [1, message[1], Status.rejected, encodeError(replacement)]).catch((failure: unknown) => {
        this.lastError = failure;
      });
    }
  }

  private jobSettled(task: JobTask): void {
    if (task.timer !== undefined) clearTimeout(task.timer);
    task.timer = undefined;
    const o = this.options;
    // A parent's completion may wait this long for its children's (see finishJob).
    const patienceMs = 2 * (o.lockDuration + o.stalledInterval);
    const report = (inbox: string, message: InboxMessage): Promise<unknown> => this.report(inbox, message);
    const done = (status: StatusCode, value: unknown): void => {
      const finishing = finishJob(task.job, task.lock, status, value, report, patienceMs)
        .then(
          (how) => {
            if (how === 'completed') this.completed++;
            else this.failed++;
          },
          (error: unknown) => {
            // The job's lock was lost (it stalled and runs elsewhere, which reports) or
            // Redis refused: either way BullMQ runs it again.
            this.lastError = error;
          },
        )
        .finally(() => {
        this.finishing.delete(finishing);
        const jobId = task.job.id ?? '';
        this.jobs.delete(jobId);
        task.worker.release(jobId);
        this.pump();
      });
      this.finishing.add(finishing);
    };
    task.subscribe(
      (value) => {
        done(Status.fulfilled, value);
      },
      (error: unknown) => {
        done(task.state === 'cancelled' ? Status.cancelled : Status.rejected, error);
      },
    );
  }

  // ------------------------------------------------------------------ TaskOwner (through JobOwner)

  /** @internal */
  spawnChild(owner: JobOwner, parent: Task, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task {
    const list = validateSpawn(body, args, options, capabilities);
    const spawner = this.spawner;
    const inbox = this.inbox;
    if (!(parent instanceof JobTask) || spawner === undefined || inbox === undefined) {
      throw new TypeError('children are spawned by tasks that run in this worker');
    }
    let encoded: Encoded;
    try {
      encoded = encodeValues(list);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidTaskError('not-cloneable', `the arguments cannot be serialised for a job: ${reason}`, { cause: error });
    }
    const id = this.idBase + ++this.nextChild;
    const task = new RemoteTask(owner, parent, options, id);
    const events = owner.events;
    if (events !== undefined) {
      this.outbox.emit(events, {
        kind: 'spawn',
        taskId: id,
        executor: owner.executor,
        thread: this.thread,
        time: eventTime(),
        name: task.name,
        parentId: parent.id,
        body: describeBody(body),
      });
      this.outbox.forwardSettle(id, events, owner.executor);
    }
    if (task.cancelledAtSpawn) {
      task.finish(false, undefined);
      return task;
    }
    const pinned = encoded.shared.length > 0;
    const queueName = pinned ? this.pinnedQueue() : this.options.queueName;
    if (pinned) this.serve(queueName);
    const ref = body as TaskReference<never>;
    const parentData = parent.job.data;
    const data: JobData = {
      m: ref.module,
      x: ref.export,
      a: encoded.bytes,
      ...(pinned ? { s: encoded.shared } : {}),
      ...(task.name === undefined ? {} : { n: task.name }),
      i: id,
      l: owner.executor,
      r: inbox.key,
      ...(events === undefined ? {} : { e: events }),
      ...(parentData.t === undefined ? {} : { t: parentData.t }),
    };
    const outbound: Outbound = {
      task,
      jobId: `${this.token}.${id}`,
      queueName,
      data,
      encoded,
      parent: { id: parent.job.id ?? '', queue: `${this.options.prefix}:${parent.job.queueName}` },
      defaults: { attempts: parent.job.opts.attempts ?? 1, backoff: parent.job.opts.backoff },
      state: 'pending',
      cancelWanted: false,
    };
    task.outbound = outbound;
    spawner.submit(outbound);
    return task;
  }

  /** @internal */
  interrupt(task: Task): void {
    if (task instanceof RemoteTask) {
      const outbound = task.outbound;
      if (outbound === undefined) task.finish(false, undefined);
      else this.spawner?.cancel(outbound, task.cancellationError().cause);
      return;
    }
    this.stepper.interrupt(this.own(task));
  }

  /** @internal */
  turn(task: Task, onTurn: () => void, onCancel: (error: unknown) => void): void {
    this.stepper.turn(this.own(task), onTurn, onCancel);
  }

  /** @internal */
  settled(task: Task): void {
    if (task instanceof JobTask) this.jobSettled(task);
    this.pump();
  }

  private own(task: Task): JobTask {
    if (task instanceof JobTask) return task;
    throw new TypeError(`task ${task.describe()} does not belong to worker ${this.name}`);
  }

  /**
   * A child job's worker completes it, with its outcome as return value, before it sends
   * the outcome here (see finishJob). Children waited for longer than a stalled-job check
   * are looked up in their parent's `processed` hash, where BullMQ keeps those values: if
   * the message was lost with its process, the outcome is there.
   */
  private async recover(): Promise<void> {
    const spawner = this.spawner;
    if (spawner === undefined) return;
    const before = performance.now() - this.options.stalledInterval;
    const byParent = new Map<JobTask, Outbound[]>();
    for (const outbound of spawner.waiting()) {
      const parent = outbound.task.parent;
      if (outbound.addedAt === undefined || outbound.addedAt > before || !(parent instanceof JobTask)) continue;
      const list = byParent.get(parent);
      if (list === undefined) byParent.set(parent, [outbound]);
      else list.push(outbound);
    }
    for (const [parent, list] of byParent) {
      try {
        const values = recordOf(await parent.job.getChildrenValues());
        for (const outbound of list) {
          const message = outcomeFromReturnValue(values[`${this.options.prefix}:${outbound.queueName}:${outbound.jobId}`]);
          if (message?.[0] !== 1) continue;
          const taken = spawner.take(outbound.task.id);
          if (taken !== undefined) settleWith(taken.task, message[2], message[3]);
        }
      } catch (error) {
        this.lastError = error;
      }
    }
  }

  private receive(message: InboxMessage): void {
    if (message[0] !== 1) return;
    const [, taskId, status, value] = message;
    const outbound = this.spawner?.take(taskId);
    if (outbound !== undefined) settleWith(outbound.task, status, value);
  }
}

/** BullMQ answers undefined rather than {} for a parent none of whose children completed, whatever its declared type says. */
function recordOf(value: unknown): Partial<Record<string, unknown>> {
  return typeof value === 'object' && value !== null ? value : {};
}
