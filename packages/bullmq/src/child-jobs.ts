import { InvalidTaskError } from '@spindle/core';
import type { SpawnOptions, Spawnable, TaskReference } from '@spindle/core';
import { describeBody, validateSpawn } from '@spindle/core/kit';
import type { Task, TaskOwner } from '@spindle/core/kit';
import { eventTime } from '@spindle/core/events';
import type { Redis } from 'ioredis';
import { capabilities } from './capabilities.js';
import { findOutcomes } from './child-outcomes.js';
import { encodeValues } from './codec.js';
import type { Encoded } from './codec.js';
import type { EventOutbox } from './event-outbox.js';
import { Inbox } from './inbox.js';
import { JobTask } from './job-task.js';
import type { InboxMessage, JobData, Keys } from './messages.js';
import { settleWith } from './outcome.js';
import { RemoteTask } from './remote-task.js';
import { Spawner } from './spawner.js';
import type { Outbound } from './spawner.js';

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
 * A child's job id is its parent's job id, the parent's attempt and the child's index among
 * the parent's spawns, so that a parent run again after its worker died spawns the same jobs:
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
    this.spawner = new Spawner(redis, host.prefix, keys, { attempts: 1, backoff: undefined }, {
      beforeEnqueue,
      removed: (outbound) => {
        outbound.task.finish(false, undefined);
      },
      failed: (outbound, error) => {
        outbound.task.finish(true, error);
      },
    });
  }

  /** Starts reading the inbox, and looking for outcomes whose message was lost. */
  start(): void {
    this.inbox.start();
    this.recovery = setInterval(() => {
      const before = performance.now() - this.host.stalledInterval;
      void this.recover((outbound) => outbound.addedAt !== undefined && outbound.addedAt <= before);
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

  /** Spawns a child of a job task: a child job of its job. */
  spawn(parent: JobTask, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task {
    const list = validateSpawn(body, args, options, capabilities);
    let encoded: Encoded;
    try {
      encoded = encodeValues(list);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InvalidTaskError('not-cloneable', `the arguments cannot be serialised for a job: ${reason}`, { cause: error });
    }
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
    const ref = body as TaskReference<never>;
    const parentData = parent.job.data;
    const data: JobData = {
      m: ref.module,
      x: ref.export,
      a: encoded.bytes,
      ...(pinned ? { s: encoded.shared } : {}),
      ...(task.name === undefined ? {} : { n: task.name }),
      i: id,
      l: parent.executor,
      r: this.inbox.key,
      ...(events === undefined ? {} : { e: events }),
      ...(parentData.t === undefined ? {} : { t: parentData.t }),
    };
    const outbound: Outbound = {
      task,
      jobId: `${parent.jobId}.${parent.job.attemptsMade}.${index}`,
      queueName,
      data,
      encoded,
      parent: { id: parent.jobId, queue: `${host.prefix}:${parent.job.queueName}` },
      defaults: { attempts: parent.job.opts.attempts ?? 1, backoff: parent.job.opts.backoff },
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
      void this.recover((outbound) => outbound.rejoin === true).then((left) => {
        this.rejoinPoll = undefined;
        if (left > 0) this.watchRejoined();
      });
    }, rejoinPollMs);
    this.rejoinPoll.unref();
  }

  /**
   * Settles the children (those `which` picks, among those added to Redis) whose outcome is
   * in Redis already: their message was lost, or went to the inbox of an earlier run.
   * @returns how many children `which` picks are still outstanding
   */
  private async recover(which: (outbound: Outbound) => boolean): Promise<number> {
    const picked: Outbound[] = [];
    let outstanding = 0;
    for (const outbound of this.spawner.waiting()) {
      if (!which(outbound)) continue;
      outstanding++;
      if (outbound.state === 'added') picked.push(outbound);
    }
    if (picked.length === 0) return outstanding;
    let found;
    try {
      found = await findOutcomes(this.redis, picked.map((outbound) => this.spawner.childRef(outbound)));
    } catch (error) {
      this.host.onError(error);
      return outstanding;
    }
    for (const [index, message] of found) {
      const outbound = picked[index];
      const taken = outbound === undefined ? undefined : this.spawner.take(outbound.task.id);
      if (taken !== undefined) settleWith(taken.task, message[2], message[3]);
    }
    return outstanding - found.size;
  }
}
