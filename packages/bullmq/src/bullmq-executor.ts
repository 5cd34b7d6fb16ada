import { randomUUID } from 'node:crypto';
import { ExecutorClosedError, InvalidOptionsError } from '@spindle/core';
import { describeValue, validateSpawn } from '@spindle/core/kit';
import { batchChannel, channels, publishSpawn, publishTaskEvent } from '@spindle/core/events';
import type {
  CloseOptions,
  Executor,
  ExecutorCapabilities,
  SpawnArgs,
  SpawnOptions,
  SpawnResult,
  Spawnable,
  TaskHandle,
} from '@spindle/core';
import type { Task, TaskOwner } from '@spindle/core/kit';
import type { Redis } from 'ioredis';
import { capabilities } from './capabilities.js';
import { encodeArguments } from './codec.js';
import { Inbox } from './inbox.js';
import { jobData, keysOf, pinnedQueueName } from './messages.js';
import type { InboxMessage, Keys } from './messages.js';
import { lockDefaults, resolveExecutorOptions } from './options.js';
import type { BullmqExecutorOptions, ResolvedExecutorOptions } from './options.js';
import { settleWith } from './outcome.js';
import { close, connect, setReferenced } from './redis.js';
import { RemoteTask } from './remote-task.js';
import { processToken } from './shared-memory.js';
import { Spawner } from './spawner.js';
import type { Outbound } from './spawner.js';
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
  private connected: Connected | undefined = undefined;
  private local: WorkerRuntime | undefined = undefined;
  private readonly roots = new Set<RemoteTask>();
  private live = 0;
  private duplicates = 0;
  private referenced = false;
  private isClosed = false;
  private closing: Promise<void> | undefined = undefined;
  private resolveClosing: (() => void) | undefined = undefined;
  private lastError: unknown = undefined;

  /**
   * @param options where Redis is and how jobs are made; without options, a self-contained
   * executor on the Redis of `SPINDLE_REDIS_URL` (else `redis://127.0.0.1:6379`) that also
   * runs its tasks in this process
   * @throws InvalidOptionsError naming the option at fault
   */
  constructor(options?: BullmqExecutorOptions) {
    this.options = resolveExecutorOptions(options);
    this.label = this.options.label ?? `bullmq#${++executors}`;
    this.keys = keysOf(this.options.prefix, this.options.queueName);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Current figures. */
  get stats(): BullmqStats {
    return { live: this.live, outstanding: this.connected?.spawner.size ?? 0, duplicateOutcomes: this.duplicates };
  }

  /** The last error a connection reported (Redis unreachable, say), for diagnosis. */
  get connectionError(): unknown {
    return this.lastError;
  }

  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: SpawnOptions): TaskHandle<SpawnResult<B>> {
    if (this.isClosed) throw new ExecutorClosedError(this.label);
    const list = validateSpawn(body, args, options, capabilities);
    const encoded = encodeArguments(list);
    const task = new RemoteTask(this, undefined, options);
    this.live++;
    this.roots.add(task);
    publishSpawn(this.label, undefined, task.id, task.name, undefined, body);
    if (task.cancelledAtSpawn) {
      task.finish(false, undefined);
      return task as unknown as TaskHandle<SpawnResult<B>>;
    }
    const { spawner, inbox } = this.connect();
    const pinned = encoded.shared.length > 0;
    if (pinned || this.options.localWorker) this.startLocal();
    const eventsWanted = batchChannel.hasSubscribers || channels.start.hasSubscribers || channels.settle.hasSubscribers || channels.suspend.hasSubscribers;
    const data = jobData(body, encoded, task, { executor: this.label, inbox: inbox.key, events: eventsWanted ? inbox.key : undefined, timeout: this.options.timeout });
    const outbound: Outbound = {
      task,
      jobId: `${this.token}.${task.id}`,
      queueName: pinned ? pinnedQueueName(this.options.queueName, processToken()) : this.options.queueName,
      data,
      encoded,
      parent: undefined,
      state: 'pending',
      cancelWanted: false,
    };
    task.outbound = outbound;
    spawner.submit(outbound);
    return task as unknown as TaskHandle<SpawnResult<B>>;
  }

  /** @internal Tasks on this side have no body here, so they spawn no children. */
  spawnChild(): Task {
    throw new TypeError('bullmq tasks spawn children inside their worker process');
  }

  close(options?: CloseOptions): Promise<void> {
    const mode: unknown = options?.mode ?? 'drain';
    if (mode !== 'drain' && mode !== 'cancel') {
      throw new InvalidOptionsError('mode', `close mode must be 'drain' or 'cancel', got ${describeValue(mode)}`);
    }
    this.isClosed = true;
    this.closing ??= new Promise<void>((resolve) => {
      this.resolveClosing = resolve;
    });
    if (mode === 'cancel') {
      const reason = options?.reason ?? new ExecutorClosedError(this.label);
      for (const task of [...this.roots]) task.cancel(reason);
    }
    this.checkClosed();
    return this.closing;
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
    this.live--;
    this.roots.delete(this.own(task));
    if (this.live === 0) this.idle();
    if (this.isClosed) this.checkClosed();
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
      const spawner = new Spawner(commands, this.options.prefix, this.keys, { attempts: this.options.attempts, backoff: this.options.backoff }, {
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

  private checkClosed(): void {
    if (this.live !== 0 || this.resolveClosing === undefined) return;
    const resolve = this.resolveClosing;
    this.resolveClosing = undefined;
    const connected = this.connected;
    this.connected = undefined;
    const local = this.local;
    this.local = undefined;
    void (async () => {
      if (local !== undefined) await local.stop();
      if (connected !== undefined) {
        connected.inbox.stop();
        await connected.spawner.close();
        await close(connected.commands);
      }
      resolve();
    })();
  }
}
