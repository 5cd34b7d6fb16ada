import { createHash } from 'node:crypto';
import type { SpawnOptions, Spawnable } from '@spindle/core';
import { describeBody, validateSpawn } from '@spindle/core/kit';
import type { Task, TaskOwner } from '@spindle/core/kit';
import { eventTime } from '@spindle/core/events';
import type { Redis } from 'ioredis';
import type { JobsOptions } from 'bullmq';
import { capabilities } from './capabilities.js';
import type { EventOutbox } from './event-outbox.js';
import { Inbox } from './inbox.js';
import { childRemoveOnComplete } from './keep-jobs.js';
import { JobTask } from './job-task.js';
import { encodeJobArguments } from './job-values.js';
import { jobData } from './messages.js';
import type { InboxMessage, Keys } from './messages.js';
import { OutcomeSearch } from './outcome-search.js';
import { settleWith } from './outcome.js';
import { RemoteTask } from './remote-task.js';
import { bullPriority, resolveJobSettings } from './spawn-options.js';
import { Spawner } from './spawner.js';
import type { Outbound } from './spawner.js';

/**
 * The job id of a child: a function of its parent's job id, the parent's attempt and the
 * child's index among the parent's spawns, so that a parent run again spawns the same jobs.
 * The parent's id enters as a hash, so that ids stay short however deep a chain of tasks goes.
 */
export function childJobId(parentJobId: string, attempt: number, index: number): string {
  return `${createHash('sha256').update(parentJobId).digest('base64url').slice(0, 22)}.${attempt}.${index}`;
}

/** How often the outcomes of rejoined children are looked for in Redis while any is outstanding. */
const rejoinPollMs = 250;

/** What the children of a runtime's tasks ask of the runtime. */
export interface ChildHost {
  /** Label core stamps on the settle events it publishes here (the runtime's). */
  readonly label: string;
  /** The `thread` of events from here (the process id). */
  readonly thread: number;
  readonly prefix: string;
  readonly queueName: string;
  /** How long an outcome may be late before it is looked for in Redis. */
  readonly stalledInterval: number;
  /** Ids of children spawned here start above this: unique across every runtime of the queue. */
  readonly idBase: number;
  readonly outbox: EventOutbox;
  /** The queue of jobs pinned to this process (their arguments hold its shared memory), served from now on. */
  pinnedQueue(): string;
  /** A task waits while child jobs of its are out (see ParkedLocks). */
  waitsForChildren(task: JobTask): void;
  /** The last outstanding child job of a task that has not finished settled (see ParkedLocks). */
  childrenSettled(task: JobTask): void;
  /** A child settled: there may be room for more jobs. */
  childSettled(): void;
  onError(error: unknown): void;
}

/**
 * The children that tasks of a worker process spawn: each is a child job of its parent's
 * job (a BullMQ flow) that any worker may run, and its outcome comes back to this runtime's
 * inbox. The owner of those children's handles here.
 *
 * A child's job id is made of its parent's job id, the parent's attempt and the child's index
 * among the parent's spawns ({@link childJobId}), so that a parent run again after its worker
 * died spawns the same jobs:
 * it takes the outcomes of the children that finished from Redis (see child-outcomes.ts)
 * instead of running them again, and joins those still running; since those report to the
 * inbox of the parent's earlier run, their outcomes are looked for in Redis until they come.
 * A retry after a failure is a fresh attempt: its children run again.
 */
export class ChildJobs implements TaskOwner {
  readonly label: string;
  readonly inbox: Inbox;
  readonly spawner: Spawner;
  private readonly host: ChildHost;
  private readonly redis: Redis;
  private nextChild = 0;
  /** Children whose outcome is late by a stalled-job check: their message may be lost. */
  private readonly late: OutcomeSearch;
  /** Children of parents run again: they may be reporting to the inbox of the earlier run. */
  private readonly rejoined: OutcomeSearch;
  private recovery: ReturnType<typeof setInterval> | undefined = undefined;
  private rejoinPoll: ReturnType<typeof setTimeout> | undefined = undefined;
  private stopped = false;

  /**
   * @param redis the runtime's command connection
   * @param blocking a connection for the inbox alone
   */
  constructor(host: ChildHost, redis: Redis, blocking: Redis, keys: Keys, token: string, beforeEnqueue: () => void) {
    this.host = host;
    this.label = host.label;
    this.redis = redis;
    this.inbox = new Inbox(blocking, keys.inbox(token), (message) => {
      this.receive(message);
    }, (error) => {
      host.onError(error);
    });
    this.spawner = new Spawner(redis, host.prefix, keys, {
      beforeEnqueue,
      removed: (outbound) => {
        outbound.task.finish(false, undefined);
      },
      failed: (outbound, error) => {
        outbound.task.finish(true, error);
      },
    });
    const onError = (error: unknown): void => {
      host.onError(error);
    };
    this.late = new OutcomeSearch(redis, this.spawner, (outbound) => outbound.addedAt !== undefined && outbound.addedAt <= performance.now() - host.stalledInterval, onError);
    this.rejoined = new OutcomeSearch(redis, this.spawner, (outbound) => outbound.rejoin === true, onError);
  }

  /** Starts reading the inbox, and looking for outcomes whose message was lost. */
  start(): void {
    this.inbox.start();
    this.recovery = setInterval(() => {
      void this.late.look();
    }, this.host.stalledInterval);
    this.recovery.unref();
  }

  /** Stops reading and looking; closes the spawner's queues. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.recovery !== undefined) clearInterval(this.recovery);
    if (this.rejoinPoll !== undefined) clearTimeout(this.rejoinPoll);
    this.inbox.stop();
    await this.spawner.close();
  }

  /**
   * Spawns a child of a job task: a child job of its job. It takes its parent's attempts,
   * backoff and what is kept of finished jobs, unless its options say otherwise.
   */
  spawn(parent: JobTask, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task {
    const list = validateSpawn(body, args, options, capabilities);
    const settings = resolveJobSettings(options, true);
    const encoded = encodeJobArguments(list);
    const host = this.host;
    const id = host.idBase + ++this.nextChild;
    const index = ++parent.spawned;
    const task = new RemoteTask(this, parent, options, id);
    // Counted before anything can settle it (see settled).
    parent.liveChildren++;
    const events = parent.events;
    if (events !== undefined) {
      host.outbox.emit(events, { kind: 'spawn', taskId: id, executor: parent.executor, thread: host.thread, time: eventTime(), name: task.name, parentId: parent.id, body: describeBody(body) });
      host.outbox.forwardSettle(id, events, parent.executor);
    }
    if (task.cancelledAtSpawn) {
      task.finish(false, undefined);
      return task;
    }
    const pinned = encoded.shared.length > 0;
    const queueName = pinned ? host.pinnedQueue() : host.queueName;
    const data = jobData(body, encoded, task, { executor: parent.executor, inbox: this.inbox.key, events, timeout: parent.job.data.t });
    const inherited = parent.job.opts;
    const backoff = settings.backoff ?? inherited.backoff;
    const opts: JobsOptions = {
      attempts: settings.attempts ?? inherited.attempts ?? 1,
      ...(backoff === undefined ? {} : { backoff }),
      ...(settings.delay === undefined ? {} : { delay: settings.delay }),
      priority: bullPriority(task.priority),
      removeOnComplete: childRemoveOnComplete(inherited.removeOnComplete),
      removeOnFail: inherited.removeOnFail ?? { age: 24 * 60 * 60 },
    };
    const outbound: Outbound = {
      task,
      jobId: childJobId(parent.jobId, parent.job.attemptsMade, index),
      queueName,
      data,
      args: encoded,
      parent: { id: parent.jobId, queue: `${host.prefix}:${parent.job.queueName}` },
      opts,
      ...(parent.rerun ? { rejoin: true } : {}),
      state: 'pending',
      cancelWanted: false,
    };
    task.outbound = outbound;
    this.spawner.submit(outbound);
    // An async body spawns between its awaits, while it waits from the harness's view.
    if (parent.parked) host.waitsForChildren(parent);
    if (parent.rerun) this.watchRejoined();
    return task;
  }

  /** Children of children are spawned in the worker that runs them, not here. */
  spawnChild(): Task {
    throw new TypeError('a child job spawns its children inside the worker that runs it');
  }

  /** @internal */
  interrupt(task: Task): void {
    this.own(task).cancelJob(this.spawner);
  }

  /** @internal */
  turn(_task: Task, _onTurn: () => void, onCancel: (error: unknown) => void): void {
    onCancel(new TypeError('a child job takes its turns inside the worker that runs it'));
  }

  /** @internal */
  settled(task: Task): void {
    const parent = this.own(task).parent;
    if (parent instanceof JobTask && --parent.liveChildren === 0 && !parent.bodyFinished) this.host.childrenSettled(parent);
    this.host.childSettled();
  }

  private own(task: Task): RemoteTask {
    if (task instanceof RemoteTask && task.owner === this) return task;
    throw new TypeError(`task ${task.describe()} does not belong to ${this.label}`);
  }

  private receive(message: InboxMessage): void {
    if (message[0] !== 1) return;
    const [, taskId, status, value] = message;
    const outbound = this.spawner.take(taskId);
    if (outbound !== undefined) settleWith(outbound.task, status, value);
  }

  /** Looks for the outcomes of rejoined children in Redis, often, while any is outstanding. */
  private watchRejoined(): void {
    if (this.rejoinPoll !== undefined || this.stopped) return;
    this.rejoinPoll = setTimeout(() => {
      void this.rejoined.look().then((left) => {
        this.rejoinPoll = undefined;
        if (left > 0) this.watchRejoined();
      });
    }, rejoinPollMs);
    this.rejoinPoll.unref();
  }
}
