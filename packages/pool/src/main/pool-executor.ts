import { Intake, validateSpawn } from '@spindle/core/kit';
import { TaskEventLog, publishSpawn } from '@spindle/core/events';
import type {
  BodyResult,
  CloseOptions,
  Executor,
  ExecutorCapabilities,
  SpawnArgs,
  SpawnResult,
  Spawnable,
  TaskContext,
  TaskHandle,
  TaskReference,
} from '@spindle/core';
import type { Task, TaskOwner } from '@spindle/core/kit';
import { capabilities } from '../capabilities.js';
import { QueueFullError } from '../errors.js';
import { needsMessage } from '../shared/payload.js';
import { assertNotImporting } from '../shared/importing.js';
import { checkMovingArguments, moveArguments } from '../shared/transfer.js';
import type { Payload } from '../shared/payload.js';
import { resolvePoolOptions } from './options.js';
import type { PoolOptions, ResolvedPoolOptions } from './options.js';
import type { PoolSpawnOptions } from '../shared/spawn-options.js';
import { idleStats } from './pool-stats.js';
import type { PoolStats } from './pool-stats.js';
import { PoolTask } from './pool-task.js';
import { PoolTimings } from './pool-timings.js';
import { StartedPool } from './started-pool.js';
import type { PoolLifecycle } from './started-pool.js';

let pools = 0;

/**
 * A `worker_threads` pool with one work-stealing deque per worker, a global inject queue,
 * and parking on `Atomics.wait`. It runs task references (module URL + export name) with
 * structured-cloneable arguments; tasks a worker spawns go onto its own deque and move
 * between workers by stealing, without passing through the main thread.
 */
export class PoolExecutor implements Executor, TaskOwner {
  readonly capabilities: ExecutorCapabilities = capabilities;
  readonly label: string;
  /**
   * Where lifecycle events this thread publishes (spawns, and settlements of the tasks it
   * holds) gather for core's batch channel; workers' events go out between its batches.
   */
  readonly eventLog: TaskEventLog;
  private readonly options: ResolvedPoolOptions;
  private readonly poolNumber: number;
  /** The workers and shared memory, once the pool is first used. */
  private started: StartedPool | undefined = undefined;
  private readonly timings = new PoolTimings();
  /** Accepted tasks, and `close()` in both modes (the kit's, as every executor's). */
  private readonly intake: Intake<PoolTask>;
  private readonly lifecycle: PoolLifecycle = {
    live: () => this.intake.live,
    closed: () => this.intake.closed,
  };

  /** @throws InvalidOptionsError naming the option at fault */
  constructor(options?: PoolOptions) {
    this.options = resolvePoolOptions(options);
    this.poolNumber = ++pools;
    this.label = this.options.label ?? `pool#${this.poolNumber}`;
    this.eventLog = new TaskEventLog(this.label);
    // Once closed and every accepted task has settled, the workers stop.
    this.intake = new Intake<PoolTask>(this.label, () => this.started?.stop());
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.intake.closed;
  }

  /** Current figures. */
  get stats(): PoolStats {
    const timings = this.timings;
    return {
      ...(this.started?.workers.stats() ?? idleStats),
      live: this.intake.live,
      queued: this.queued(),
      waitTime: timings.waitTime,
      runTime: timings.runTime,
    };
  }

  /**
   * Accepts a task reference and returns its handle at once. `options.priority` orders its
   * start against every task waiting (see the README); `options.transfer` moves buffers of
   * the arguments to the worker instead of copying them.
   * @throws InvalidTaskError for a closure, or arguments or options that cannot cross to a worker
   * @throws InvalidTransferError (an InvalidTaskError) for a transfer list that cannot move
   * @throws ExecutorClosedError after `close()`
   * @throws QueueFullError at `maxQueue` with `onFull: 'reject'`
   */
  spawn<A extends unknown[], R>(body: (ctx: TaskContext, ...args: A) => R, args?: A, options?: PoolSpawnOptions): TaskHandle<BodyResult<R>>;
  spawn<A extends unknown[], R>(body: TaskReference<A, R>, args?: A, options?: PoolSpawnOptions): TaskHandle<R>;
  spawn<M extends object>(body: M & ThisType<M>, args?: [], options?: PoolSpawnOptions): TaskHandle<SpawnResult<M>>;
  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: PoolSpawnOptions): TaskHandle<SpawnResult<B>>;
  spawn(body: Spawnable, args?: readonly unknown[], options?: PoolSpawnOptions): TaskHandle<unknown> {
    this.intake.assertOpen();
    const checked =
      options?.transfer === undefined
        ? { list: validateSpawn(body, args, options, capabilities), transfer: undefined }
        : checkMovingArguments(body, args, options, options.transfer, capabilities);
    if (this.options.onFull === 'reject' && this.queued() >= this.options.maxQueue) throw new QueueFullError(this.label, this.options.maxQueue);
    const ref = body as TaskReference<never>;
    assertNotImporting(ref);
    // Last: once the buffers have moved, the task is accepted.
    const { list, transfer } = moveArguments(checked);
    const payload: Payload = [ref.module, ref.export, list, options?.name];
    const task = new PoolTask(this, options, payload, needsMessage(list), transfer);
    this.intake.accept(task);
    publishSpawn(this.label, this.eventLog, task.id, task.name, undefined, body);
    if (task.cancelledAtSpawn) {
      task.finish(false, undefined);
      return task;
    }
    this.timings.stamp(task);
    const started = this.start();
    started.workers.setReferenced(true);
    started.watchEvents();
    started.handover.accept(task);
    return task;
  }

  /**
   * Starts the initial workers (`minThreads`, at least one; they otherwise start on the
   * first `spawn`) and resolves once every one of them runs, so that a benchmark or a
   * latency-sensitive caller does not pay for thread start-up in its first tasks. Workers
   * added later by growth are not waited for.
   */
  async ready(): Promise<void> {
    this.intake.assertOpen();
    const started = this.start();
    // Referenced while someone waits for start-up, so that the wait keeps the process alive.
    started.workers.setReferenced(true);
    started.watchEvents();
    await started.workers.ready();
    if (this.intake.live === 0) started.workers.setReferenced(false);
  }

  /** Resolves when fewer than `maxQueue` tasks wait to start (backpressure with `onFull: 'wait'`). */
  whenQueueBelowMax(): Promise<void> {
    if (this.queued() < this.options.maxQueue) return Promise.resolve();
    return this.start().handover.whenBelowMax();
  }

  /**
   * Stops intake, then drains (default: every accepted task settles) or cancels (every
   * unsettled task is cancelled with `reason`), then stops the workers. Idempotent; a later
   * call in `cancel` mode escalates a drain.
   * @throws InvalidOptionsError for an unknown mode
   */
  close(options?: CloseOptions): Promise<void> {
    return this.intake.close(options);
  }

  /** Same as `close()` (drain), for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal Tasks on the main thread have no body here, so they spawn no children. */
  spawnChild(): Task {
    throw new TypeError('pool tasks spawn children inside their worker');
  }

  /** @internal */
  interrupt(task: Task): void {
    const own = this.own(task);
    const started = this.started;
    if (own.slot < 0 || started === undefined) {
      // Still on the main thread: it never reaches a worker.
      own.payload = undefined;
      own.finish(false, undefined);
      return;
    }
    started.outcomes.cancel(own);
  }

  /** @internal */
  turn(_task: Task, _onTurn: () => void, onCancel: (error: unknown) => void): void {
    onCancel(new TypeError('pool tasks take their turns inside their worker'));
  }

  /** @internal */
  settled(task: Task): void {
    const own = this.own(task);
    // Let go of the workers before the last settlement: once closed, that settlement stops
    // them, and a termination under way must keep its reference until it completes.
    if (this.intake.live === 1) this.started?.workers.setReferenced(false);
    this.intake.settle(own);
  }

  private own(task: Task): PoolTask {
    if (task instanceof PoolTask && task.owner === this) return task;
    throw new TypeError(`task ${task.describe()} does not belong to ${this.label}`);
  }

  private queued(): number {
    return this.started?.handover.queued ?? 0;
  }

  /** Makes the shared memory and starts the workers, once. */
  private start(): StartedPool {
    return (this.started ??= new StartedPool(this.options, this.label, this.poolNumber, this.eventLog, this.lifecycle, this.timings));
  }
}
