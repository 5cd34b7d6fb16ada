import { randomUUID } from 'node:crypto';
import type {
  BodyResult,
  CloseOptions,
  Executor,
  ExecutorCapabilities,
  SpawnArgs,
  SpawnResult,
  Spawnable,
  StateMachine,
  TaskContext,
  TaskHandle,
  TaskReference,
} from '@spindle/core';
import { Intake, validateSpawn } from '@spindle/core/kit';
import type { Task, TaskOwner } from '@spindle/core/kit';
import { batchChannel, channels, publishSpawn, publishTaskEvent } from '@spindle/core/events';
import type { JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { capabilities } from './capabilities.js';
import { resolveExecutorOptions } from './executor-options.js';
import type { BullmqExecutorOptions, ResolvedExecutorOptions } from './executor-options.js';
import { Inbox } from './inbox.js';
import { encodeJobArguments } from './job-values.js';
import { jobData, keysOf, pinnedQueueName } from './messages.js';
import type { InboxMessage, Keys } from './messages.js';
import { settleWith } from './outcome.js';
import { close, connect, setReferenced } from './redis.js';
import { RemoteTask } from './remote-task.js';
import { processToken } from './shared-memory.js';
import { bullPriority, resolveJobSettings } from './spawn-options.js';
import type { BullmqSpawnOptions } from './spawn-options.js';
import { Spawner } from './spawner.js';
import type { Outbound } from './spawner.js';
import { lockDefaults } from './worker-options.js';
import { WorkerRuntime } from './worker-runtime.js';

/** Figures an executor keeps about itself; cheap enough to poll. */
export interface BullmqStats {
  /** Tasks accepted and not yet settled. */
  readonly live: number;
  /** Jobs whose outcome has not arrived. */
  readonly outstanding: number;
  /** Outcomes that arrived for a task already settled (a job run again after its worker stalled). */
  readonly duplicateOutcomes: number;
}

interface Connected {
  readonly commands: Redis;
  readonly blocking: Redis;
  readonly inbox: Inbox;
  readonly spawner: Spawner;
}

let executors = 0;

/** A state machine's result (core's `MachineResult`, which its root does not export). */
type MachineResult<M> = M extends StateMachine<infer R> ? R : never;

/**
 * Runs task references as BullMQ jobs: `spawn` enqueues a job on a Redis-backed queue, any
 * number of worker processes (`runWorker` or the `spindle-bullmq-worker` command, on this
 * host or others) run it, and the handle settles with its outcome. Children spawned inside
 * a task become child jobs of its job (a BullMQ flow); cancellation removes a waiting job
 * or cancels a running one; retries, backoff and stalled-job recovery are BullMQ's.
 *
 * Connections open on the first `spawn` and stay open, but while no task is in flight
 * they do not keep the process alive; `close()` closes them.
 */
export class BullmqExecutor implements Executor, TaskOwner {
  readonly capabilities: ExecutorCapabilities = capabilities;
  readonly label: string;
  private readonly options: ResolvedExecutorOptions;
  private readonly token = randomUUID();
  private readonly keys: Keys;
  private readonly intake: Intake<RemoteTask>;
  private connected: Connected | undefined = undefined;
  private local: WorkerRuntime | undefined = undefined;
  private duplicates = 0;
  private referenced = false;
  private lastError: unknown = undefined;

  /**
   * @param options where Redis is and how jobs are made; without options, a self-contained
   * executor on the Redis of `SPINDLE_REDIS_URL` (else `redis://127.0.0.1:6379`) that also
   * runs its tasks in this process
   * @throws InvalidOptionsError naming the option at fault (an unknown name, with the closest valid one)
   */
  constructor(options?: BullmqExecutorOptions) {
    this.options = resolveExecutorOptions(options);
    this.label = this.options.label ?? `bullmq#${String(++executors)}`;
    this.keys = keysOf(this.options.prefix, this.options.queueName);
    this.intake = new Intake<RemoteTask>(this.label, () => this.release());
  }

  get closed(): boolean {
    return this.intake.closed;
  }

  /** Current figures. */
  get stats(): BullmqStats {
    return { live: this.intake.live, outstanding: this.connected?.spawner.size ?? 0, duplicateOutcomes: this.duplicates };
  }

  /** The last error a connection reported (Redis unreachable, say), for diagnosis. */
  get connectionError(): unknown {
    return this.lastError;
  }

  /**
   * Adds a job that runs the task reference `body` with `args`, and returns its handle at
   * once. Besides core's options (`signal`, `name`, `priority`), a spawn takes BullMQ's
   * `delay`, `attempts`, `backoff` and `jobId` ({@link BullmqSpawnOptions}).
   * @throws InvalidTaskError for a closure (task references only), arguments that cannot be cloned, or options that are not valid (`invalid-options`)
   * @throws ExecutorClosedError after `close()`
   */
  spawn<A extends unknown[], R>(body: (ctx: TaskContext, ...args: A) => R, args?: A, options?: BullmqSpawnOptions): TaskHandle<BodyResult<R>>;
  spawn<A extends unknown[], R>(body: TaskReference<A, R>, args?: A, options?: BullmqSpawnOptions): TaskHandle<R>;
  spawn<M extends object>(body: M & ThisType<M>, args?: [], options?: BullmqSpawnOptions): TaskHandle<MachineResult<M>>;
  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: BullmqSpawnOptions): TaskHandle<SpawnResult<B>>;
  spawn(body: Spawnable, args?: readonly unknown[], options?: BullmqSpawnOptions): TaskHandle<unknown> {
    this.intake.assertOpen();
    const list = validateSpawn(body, args, options, capabilities);
    const settings = resolveJobSettings(options, false);
    const encoded = encodeJobArguments(list);
    const task = new RemoteTask(this, undefined, options);
    this.intake.accept(task);
    publishSpawn(this.label, undefined, task.id, task.name, undefined, body);
    if (task.cancelledAtSpawn) {
      task.finish(false, undefined);
      return task;
    }
    const { spawner, inbox } = this.connect();
    const pinned = encoded.shared.length > 0;
    if (pinned || this.options.localWorker) this.startLocal();
    const eventsWanted = batchChannel.hasSubscribers || channels.start.hasSubscribers || channels.settle.hasSubscribers || channels.suspend.hasSubscribers;
    const o = this.options;
    const joinable = settings.jobId !== undefined;
    const data = jobData(body, encoded, task, { executor: this.label, inbox: inbox.key, events: eventsWanted ? inbox.key : undefined, timeout: o.timeout, joinable });
    const backoff = settings.backoff ?? o.backoff;
    const opts: JobsOptions = {
      attempts: settings.attempts ?? o.attempts,
      ...(backoff === undefined ? {} : { backoff }),
      ...(settings.delay === undefined ? {} : { delay: settings.delay }),
      // Every job has one: BullMQ runs a job without a priority before all that have one.
      priority: bullPriority(task.priority),
      removeOnComplete: o.keepJobs.removeOnComplete,
      removeOnFail: o.keepJobs.removeOnFail,
    };
    const outbound: Outbound = {
      task,
      jobId: settings.jobId ?? `${this.token}.${String(task.id)}`,
      queueName: pinned ? pinnedQueueName(o.queueName, processToken()) : o.queueName,
      data,
      args: encoded,
      parent: undefined,
      opts,
      ...(joinable ? { joinable } : {}),
      state: 'pending',
      cancelWanted: false,
    };
    task.outbound = outbound;
    spawner.submit(outbound);
    return task;
  }

  /** @internal Tasks on this side have no body here, so they spawn no children. */
  spawnChild(): Task {
    throw new TypeError('bullmq tasks spawn children inside their worker process');
  }

  /**
   * Stops intake, then drains (every accepted task settles) or cancels (every unsettled
   * task is cancelled: its waiting job removed, its running one cancelled in its worker);
   * resolves once all have settled and the connections are closed.
   * @throws InvalidOptionsError for an unknown mode
   */
  close(options?: CloseOptions): Promise<void> {
    return this.intake.close(options);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close({ mode: 'drain' });
  }

  /** @internal */
  interrupt(task: Task): void {
    this.own(task).cancelJob(this.connected?.spawner);
  }

  /** @internal */
  turn(_task: Task, _onTurn: () => void, onCancel: (error: unknown) => void): void {
    onCancel(new TypeError('bullmq tasks take their turns inside their worker process'));
  }

  /** @internal */
  settled(task: Task): void {
    if (this.intake.settle(this.own(task)) && !this.intake.closed) this.idle();
  }

  private own(task: Task): RemoteTask {
    if (task instanceof RemoteTask && task.owner === this) return task;
    throw new TypeError(`task ${task.describe()} does not belong to ${this.label}`);
  }

  /** Opens the connections (once) and lets them keep the process alive while work is in flight. */
  private connect(): Connected {
    let connected = this.connected;
    if (connected === undefined) {
      const commands = connect(this.options.connection, `spindle:${this.label}`);
      const blocking = commands.duplicate();
      const onError = (error: unknown): void => {
        this.lastError = error;
      };
      commands.on('error', onError);
      blocking.on('error', onError);
      const inbox = new Inbox(blocking, this.keys.inbox(this.token), (message) => {
        this.receive(message);
      }, onError);
      const spawner = new Spawner(commands, this.options.prefix, this.keys, {
        beforeEnqueue: () => undefined,
        removed: (outbound) => {
          outbound.task.finish(false, undefined);
        },
        failed: (outbound, error) => {
          outbound.task.finish(true, error);
        },
      });
      // A connection made while idle (a reconnect) must not hold the process either.
      const apply = (redis: Redis) => (): void => {
        setReferenced(redis, this.referenced);
      };
      commands.on('connect', apply(commands));
      blocking.on('connect', apply(blocking));
      const limiter = this.options.limiter;
      // The queue's own setting, in place before this executor's first job goes out.
      if (limiter !== undefined) spawner.waitFor(spawner.queue(this.options.queueName).setGlobalRateLimit(limiter.max, limiter.duration));
      connected = { commands, blocking, inbox, spawner };
      this.connected = connected;
      inbox.start();
    }
    this.setReferenced(true);
    return connected;
  }

  private setReferenced(on: boolean): void {
    if (this.referenced === on) return;
    this.referenced = on;
    const connected = this.connected;
    if (connected === undefined) return;
    setReferenced(connected.commands, on);
    setReferenced(connected.blocking, on);
  }

  private receive(message: InboxMessage): void {
    if (message[0] === 0) {
      // As objects to per-kind subscribers, in batches of one to stream subscribers.
      for (const event of message[1]) publishTaskEvent(event);
      return;
    }
    const [, taskId, status, value] = message;
    const outbound = this.connected?.spawner.take(taskId);
    if (outbound === undefined) {
      this.duplicates++;
      return;
    }
    settleWith(outbound.task, status, value);
  }

  /**
   * Tasks with shared memory run here, on an in-process worker serving this process's own
   * queue; with `localWorker`, it serves the shared queue too.
   */
  private startLocal(): void {
    if (this.local !== undefined) return;
    const o = this.options;
    this.local = new WorkerRuntime(
      {
        connection: o.connection,
        queueName: o.queueName,
        prefix: o.prefix,
        concurrency: o.localConcurrency,
        maxJobs: Math.max(10_000, o.localConcurrency),
        ...lockDefaults,
        name: `${this.label}-local`,
      },
      { shared: o.localWorker, pinned: true },
    );
    this.local.start().catch((error: unknown) => {
      this.lastError = error;
    });
  }

  private idle(): void {
    this.setReferenced(false);
    const local = this.local;
    this.local = undefined;
    // Its timers and connections would keep the process alive; it starts again on demand.
    if (local !== undefined) void local.stop();
  }

  /** Closed and drained: let the connections and the in-process worker go. */
  private async release(): Promise<void> {
    // Whoever awaits close() waits for this: the connections keep the process alive until
    // they have quit. Unreferenced, Node could find nothing left to wait for while a reply
    // is on its way, and end the process with that await still pending (exit code 13).
    this.setReferenced(true);
    const connected = this.connected;
    this.connected = undefined;
    const local = this.local;
    this.local = undefined;
    if (local !== undefined) await local.stop();
    if (connected !== undefined) {
      connected.inbox.stop();
      await connected.spawner.close();
      await close(connected.commands);
    }
  }
}
