import { serialize } from 'node:v8';
import { Queue } from 'bullmq';
import type { JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { encodeError } from '@spindle/core/kit';
import type { Task } from '@spindle/core/kit';
import { findOutcomes } from './child-outcomes.js';
import type { ChildRef } from './child-outcomes.js';
import { joinKeys, joiner, leave, lookUp, register } from './job-joins.js';
import type { JoinKeys } from './job-joins.js';
import type { JobArguments } from './job-values.js';
import type { JobData, Keys, OutcomeMessage } from './messages.js';
import { settleWith } from './outcome.js';
import { releaseBuffers } from './shared-memory.js';

/** Jobs per `addBulk` call: one round trip each, small enough not to hold Redis up. */
const bulk = 500;

/** How often spawns of joinable jobs look for their outcome in Redis (see job-joins.ts). */
const joinPollMs = 1_000;
/** Joinable jobs looked up per look. */
const perLook = 1_000;

/** A task whose body runs as a job somewhere, and what its spawner knows of the job. */
export interface Outbound {
  readonly task: Task;
  readonly jobId: string;
  readonly queueName: string;
  readonly data: JobData;
  /** Its arguments (the shared memory they hold is let go when it settles). */
  readonly args: JobArguments;
  /** The job of the task that spawned this one (a BullMQ flow), if any. */
  readonly parent: { readonly id: string; readonly queue: string } | undefined;
  /** BullMQ's options of the job but its id and parent: attempts, backoff, delay, priority, what is kept. */
  readonly opts: JobsOptions;
  /** The job's id is the user's: other spawns may share the job (see job-joins.ts). */
  readonly joinable?: boolean;
  /** `pending`: waits for the next batch; `adding`: in an `addBulk`; `added`: in Redis; `gone`: dropped or settled. */
  state: 'pending' | 'adding' | 'added' | 'gone';
  /**
   * The job may exist already: its parent runs again after its worker was lost, and this
   * child has the same job id as in the parent's earlier run. Its outcome, if it has one,
   * is taken from Redis instead of adding the job; otherwise the add joins the job if it
   * is there (running somewhere, reporting to the inbox of the earlier run).
   */
  readonly rejoin?: boolean;
  /** Cancellation was asked for while the job was being added. */
  cancelWanted: boolean;
  /** Why it was cancelled: the running task's signal aborts with (a copy of) this. */
  reason?: unknown;
  /** `performance.now()` when the job was added to Redis. */
  addedAt?: number;
}

/** What a spawner asks of its owner. */
export interface SpawnerHost {
  /** Called before a batch of jobs goes out, so that events about them go out first. */
  beforeEnqueue(): void;
  /** The job was removed before any worker took it (or never added): settle the task as cancelled. */
  removed(outbound: Outbound): void;
  /** The job could not be added (Redis refused it): fail the task. */
  failed(outbound: Outbound, error: unknown): void;
}

/**
 * Turns tasks into BullMQ jobs and keeps track of them until their outcome arrives: jobs
 * are added in batches (one `addBulk` per burst of spawns), cancelled by removing them
 * while they wait, or, once a worker has them, by a message on the cancel channel that
 * the worker answers by cancelling the running task. Used by the executor (root tasks)
 * and by worker processes (children spawned inside tasks).
 */
export class Spawner {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly keys: Keys;
  private readonly host: SpawnerHost;
  private readonly queues = new Map<string, Queue>();
  private readonly outstanding = new Map<number, Outbound>();
  private batch: Outbound[] = [];
  private flushing = false;
  /** Awaited before the first add (the queue's settings, say). */
  private gate: Promise<unknown> | undefined = undefined;
  private joinPoll: ReturnType<typeof setTimeout> | undefined = undefined;
  private closed = false;

  constructor(redis: Redis, prefix: string, keys: Keys, host: SpawnerHost) {
    this.redis = redis;
    this.prefix = prefix;
    this.keys = keys;
    this.host = host;
  }

  /** Holds every add back until `ready` has settled (the jobs fail if it rejects). */
  waitFor(ready: Promise<unknown>): void {
    this.gate = ready;
  }

  /** Tasks whose outcome has not arrived. */
  get size(): number {
    return this.outstanding.size;
  }

  /** Accepts a task for the next batch of jobs. */
  submit(outbound: Outbound): void {
    this.outstanding.set(outbound.task.id, outbound);
    this.enqueue(outbound);
  }

  private enqueue(outbound: Outbound): void {
    outbound.state = 'pending';
    this.batch.push(outbound);
    if (!this.flushing) {
      this.flushing = true;
      queueMicrotask(() => {
        void this.flush();
      });
    }
  }

  /** The tasks whose outcome has not arrived. */
  waiting(): IterableIterator<Outbound> {
    return this.outstanding.values();
  }

  /** Takes the task an outcome is for (once: a second outcome for the same task finds nothing). */
  take(taskId: number): Outbound | undefined {
    const outbound = this.outstanding.get(taskId);
    if (outbound === undefined) return undefined;
    this.outstanding.delete(taskId);
    outbound.state = 'gone';
    if (outbound.args.shared.length > 0) releaseBuffers(outbound.args.shared);
    return outbound;
  }

  /**
   * Cancels a task's job: drops it if it has not gone out, removes it if it still waits
   * in Redis (the host then settles the task as cancelled), or else tells whichever
   * worker runs it to cancel it (its outcome then arrives as usual).
   */
  cancel(outbound: Outbound, reason: unknown): void {
    outbound.reason = reason;
    switch (outbound.state) {
      case 'pending':
        this.batch = this.batch.filter((each) => each !== outbound);
        this.drop(outbound);
        return;
      case 'adding':
        outbound.cancelWanted = true;
        return;
      case 'added':
        void this.stop(outbound);
        return;
      case 'gone':
        return;
    }
  }

  /** The queue of a name, made once; shares the spawner's connection. */
  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.redis, prefix: this.prefix, skipVersionCheck: true });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Closes the queues (the connection is the owner's). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.joinPoll !== undefined) clearTimeout(this.joinPoll);
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.allSettled(queues.map((queue) => queue.close()));
  }

  private drop(outbound: Outbound): void {
    if (this.take(outbound.task.id) !== undefined) this.host.removed(outbound);
  }

  private async flush(): Promise<void> {
    this.flushing = false;
    let batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    this.host.beforeEnqueue();
    for (const outbound of batch) outbound.state = 'adding';
    if (this.gate !== undefined) {
      try {
        await this.gate;
      } catch (error) {
        this.fail(batch, error);
        return;
      }
    }
    if (batch.some((outbound) => outbound.rejoin === true)) {
      await this.rejoin(batch.filter((outbound) => outbound.rejoin === true));
      batch = batch.filter((outbound) => outbound.state === 'adding');
    }
    const joinable = batch.filter((outbound) => outbound.joinable === true);
    if (joinable.length > 0) {
      try {
        // Before the add: the worker that finishes the job then sends the outcome here too.
        await register(this.redis, joinable.map((outbound) => ({ keys: this.joinKeys(outbound), member: this.member(outbound) })));
      } catch (error) {
        this.fail(joinable, error);
        batch = batch.filter((outbound) => outbound.joinable !== true);
      }
    }
    const byQueue = new Map<string, Outbound[]>();
    for (const outbound of batch) {
      const list = byQueue.get(outbound.queueName);
      if (list === undefined) byQueue.set(outbound.queueName, [outbound]);
      else list.push(outbound);
    }
    const adds: Promise<void>[] = [];
    for (const [name, list] of byQueue) {
      for (let i = 0; i < list.length; i += bulk) adds.push(this.add(name, list.slice(i, i + bulk)));
    }
    await Promise.all(adds);
  }

  /** Settles the rejoining children whose outcome is in Redis already; the rest are added as usual. */
  private async rejoin(list: readonly Outbound[]): Promise<void> {
    let found: Map<number, OutcomeMessage>;
    try {
      found = await findOutcomes(this.redis, list.map((outbound) => this.childRef(outbound)));
    } catch {
      // Not found then: adding joins the child if it is still there.
      return;
    }
    for (const [index, message] of found) {
      const outbound = list[index];
      if (outbound !== undefined && this.take(outbound.task.id) !== undefined) settleWith(outbound.task, message[2], message[3]);
    }
  }

  /** How the parent of a child job keys its outcome (see child-outcomes.ts). */
  childRef(outbound: Outbound): ChildRef {
    const parent = outbound.parent;
    return { parentKey: parent === undefined ? '' : `${parent.queue}:${parent.id}`, childKey: `${this.prefix}:${outbound.queueName}:${outbound.jobId}` };
  }

  private fail(list: readonly Outbound[], error: unknown): void {
    for (const outbound of list) {
      if (this.take(outbound.task.id) !== undefined) this.host.failed(outbound, error);
    }
  }

  private async add(name: string, list: Outbound[]): Promise<void> {
    try {
      await this.queue(name).addBulk(list.map((outbound) => ({ name: outbound.data.x, data: outbound.data, opts: jobOptions(outbound) })));
    } catch (error) {
      this.fail(list, error);
      return;
    }
    const now = performance.now();
    let joinable = false;
    for (const outbound of list) {
      if (outbound.state !== 'adding') continue;
      outbound.state = 'added';
      outbound.addedAt = now;
      if (outbound.joinable === true) joinable = true;
      if (outbound.cancelWanted) void this.stop(outbound);
    }
    if (joinable) await this.lookForJoined(list);
  }

  /** Cancels a job in Redis: its spawn's alone, or one whose other spawns all left (see job-joins.ts). */
  private async stop(outbound: Outbound): Promise<void> {
    if (outbound.joinable === true) {
      let last = true;
      try {
        last = await leave(this.redis, this.joinKeys(outbound), this.member(outbound));
      } catch {
        // Redis refused: cancel the job, as if alone.
      }
      if (!last) {
        this.drop(outbound);
        return;
      }
    }
    await this.removeOrSignal(outbound);
  }

  private joinKeys(outbound: Outbound): JoinKeys {
    return joinKeys(this.prefix, outbound.queueName, outbound.jobId);
  }

  private member(outbound: Outbound): string {
    return joiner(outbound.data.r, outbound.task.id);
  }

  /**
   * Looks up joinable jobs: settles the spawns whose job has an outcome already, adds again
   * those whose job went without one, and keeps looking (every {@link joinPollMs}) while any
   * waits.
   */
  private async lookForJoined(list: readonly Outbound[]): Promise<void> {
    const picked = list.filter((outbound) => outbound.joinable === true && outbound.state === 'added');
    if (picked.length === 0) return;
    let states;
    try {
      states = await lookUp(this.redis, picked.map((outbound) => this.joinKeys(outbound)));
    } catch {
      // Looked for again at the next poll.
      this.watchJoined();
      return;
    }
    picked.forEach((outbound, i) => {
      const state = states[i];
      if (state === undefined || outbound.state !== 'added') return;
      if (state.kind === 'settled') {
        if (this.take(outbound.task.id) !== undefined) settleWith(outbound.task, state.outcome[2], state.outcome[3]);
      } else if (state.kind === 'gone' && !outbound.cancelWanted) {
        this.enqueue(outbound);
      }
    });
    this.watchJoined();
  }

  private watchJoined(): void {
    if (this.joinPoll !== undefined || this.closed) return;
    this.joinPoll = setTimeout(() => {
      this.joinPoll = undefined;
      const waiting: Outbound[] = [];
      for (const outbound of this.outstanding.values()) {
        if (outbound.joinable === true && outbound.state === 'added' && waiting.push(outbound) >= perLook) break;
      }
      if (waiting.length > 0) void this.lookForJoined(waiting);
    }, joinPollMs);
    // While tasks are in flight the executor's connections keep the process alive.
    this.joinPoll.unref();
  }

  private async removeOrSignal(outbound: Outbound): Promise<void> {
    let removed = 0;
    try {
      // Atomic in Redis: it succeeds only while no worker holds the job's lock.
      removed = await this.queue(outbound.queueName).remove(outbound.jobId);
    } catch {
      removed = 0;
    }
    if (removed === 1) {
      this.drop(outbound);
      return;
    }
    if (outbound.state === 'gone') return;
    await this.redis.publish(this.keys.cancel, cancelMessage(outbound.jobId, outbound.reason)).catch(() => undefined);
  }
}

/** What BullMQ is told of a job: its own options with its id and, for a child, its parent. */
function jobOptions(outbound: Outbound): JobsOptions {
  return {
    ...outbound.opts,
    jobId: outbound.jobId,
    ...(outbound.parent === undefined ? {} : { parent: outbound.parent, ignoreDependencyOnFailure: true }),
  };
}

/** `<job id> <base64 reason>`: the reason travels along when it can be cloned, else stays behind. */
function cancelMessage(jobId: string, reason: unknown): string {
  try {
    return `${jobId} ${serialize(encodeError(reason)).toString('base64')}`;
  } catch {
    return jobId;
  }
}
