import type { BodyResult, MachineResult, SpawnArgs, SpawnOptions, SpawnResult, Spawnable } from '../contract/body.js';
import type { TaskReference } from '../contract/task-reference.js';
import type { ExecutorCapabilities } from '../contract/capabilities.js';
import type { CloseOptions, Executor } from '../contract/executor.js';
import type { TaskHandle } from '../contract/task-handle.js';
import type { TaskContext } from '../contract/context.js';
// perf_hooks' export, not the global `performance` (a lazy getter on globalThis in Node 20).
import { performance } from 'node:perf_hooks';
import { publishSpawn } from '../events/event-stream.js';
import { SlicedHarness } from './sliced-harness.js';
import type { SlicedHarnessOptions } from './sliced-harness.js';
import { validateSpawn } from './spawn-input.js';
import { Intake } from './intake.js';
import { PriorityLanes } from './priority-lanes.js';
import type { Lane } from './priority-lanes.js';
import { RingQueue } from './ring-queue.js';
import { TimingWindow } from './timing-window.js';
import type { TimingSummary } from './timing-window.js';
import type { SteppedTask } from './stepped-task.js';
import type { Task } from './task.js';

/** How an {@link ExecutorShell} runs. */
export interface ShellOptions<T extends SteppedTask = SteppedTask> extends SlicedHarnessOptions {
  /** At most this many top-level tasks run at once (see `SliceOptions.concurrency`); default: no limit. */
  readonly concurrency?: number;
  /**
   * Makes one FIFO lane of the default ready queue (one per priority in use); default: a
   * {@link RingQueue}. An executor with a FIFO of its own passes it here rather than
   * overriding `pushReady`/`takeReady`: the step path then stays one queue deep.
   */
  readonly lane?: () => Lane<T>;
}

/** Figures every executor built on {@link ExecutorShell} keeps about itself; cheap enough to poll. */
export interface ShellStats {
  /** Tasks accepted and not yet settled. */
  readonly live: number;
  /** Tasks waiting in the ready queue. */
  readonly ready: number;
  /** Top-level tasks waiting for a place under the `concurrency` limit. */
  readonly waiting: number;
  /**
   * How long tasks waited from `spawn` to their first step, in milliseconds (count, mean,
   * p50, p90, p99, max), over the latest 1,024 timed tasks: every one of the first 64,
   * then one in 16.
   */
  readonly waitTime: TimingSummary;
  /** Steps taken since the executor was made. */
  readonly steps: number;
  /** Times the executor handed the thread back to the event loop with work still ready. */
  readonly slicesExpired: number;
}

/**
 * Tasks whose wait before their first step is timed: every one of the first
 * `TIME_ALL`, then one in `TIME_EVERY` (a clock read costs as much as a small task's step).
 */
const TIME_ALL = 64;
const TIME_EVERY = 16;

/**
 * What every single-thread executor does the same way, written once: intake (validation,
 * refusing work after `close()`), the accounting of accepted tasks, `close()` in both
 * modes, `Symbol.asyncDispose`, the `concurrency` limit, wait times and the spawn events;
 * stepping comes from the {@link SlicedHarness} it extends. A subclass makes its task
 * objects ({@link ExecutorShell.createTask}); its ready queue is FIFO within each priority,
 * higher priorities first, unless it keeps one of its own (`pushReady`, `takeReady`,
 * `readyCount`, and `outranked` if it steps woken tasks in place): that is, it decides only
 * which ready task goes next.
 *
 * @typeParam T the executor's own task class
 */
export abstract class ExecutorShell<T extends SteppedTask = SteppedTask> extends SlicedHarness<T> implements Executor {
  abstract readonly capabilities: ExecutorCapabilities;
  /** What the executor has accepted and still owes; `close()` goes through it. */
  protected readonly intake: Intake<T>;
  private readonly limit: number;
  /** Top-level tasks started (scheduled) and not yet settled, while there is a limit. */
  private running = 0;
  /** Top-level tasks waiting for a place under the limit, by priority (made on first use). */
  private waitingForPlace: PriorityLanes<T> | undefined = undefined;
  private waitingCount = 0;
  private accepted = 0;
  private readonly waits = new TimingWindow();
  /** The default ready queue (see {@link ExecutorShell}). */
  private readonly readyLanes: PriorityLanes<T>;

  /** @param label the label used in events and errors */
  protected constructor(label: string, options: ShellOptions<T>) {
    super(label, options);
    this.readyLanes = new PriorityLanes<T>(options.lane ?? (() => new RingQueue<T>(64)));
    this.intake = new Intake<T>(label);
    this.limit = options.concurrency ?? Number.POSITIVE_INFINITY;
  }

  /** The figures of {@link ShellStats}, for an executor's `stats`. */
  protected shellStats(): ShellStats {
    return {
      live: this.live,
      ready: this.readyCount(),
      waiting: this.waitingCount,
      waitTime: this.waits.summary(),
      steps: this.steps,
      slicesExpired: this.slice.expired,
    };
  }

  /** Puts `task` at the back of its priority's FIFO. */
  protected pushReady(task: T): void {
    this.readyLanes.push(task);
  }

  /** Takes the front of the highest priority's FIFO. */
  protected takeReady(): T | undefined {
    return this.readyLanes.shift();
  }

  protected readyCount(): number {
    return this.readyLanes.size;
  }

  protected override peekReady(): T | undefined {
    return this.readyLanes.peek();
  }

  /** A ready task of a higher priority outranks `task` (for `stepOnWake`). */
  protected override outranked(task: T): boolean {
    return this.readyLanes.outranks(task.priority);
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.intake.closed;
  }

  /** Accepted tasks that have not settled, children included. */
  protected get live(): number {
    return this.intake.live;
  }

  /**
   * Accepts a task and returns its handle at once.
   * @throws InvalidTaskError for a body, arguments or options that cannot run
   * @throws ExecutorClosedError after `close()`
   */
  spawn<A extends unknown[], R>(body: (ctx: TaskContext, ...args: A) => R, args?: A, options?: SpawnOptions): TaskHandle<BodyResult<R>>;
  spawn<A extends unknown[], R>(body: TaskReference<A, R>, args?: A, options?: SpawnOptions): TaskHandle<R>;
  spawn<M extends object>(body: M & ThisType<M>, args?: [], options?: SpawnOptions): TaskHandle<MachineResult<M>>;
  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: SpawnOptions): TaskHandle<SpawnResult<B>>;
  spawn(body: Spawnable, args?: readonly unknown[], options?: SpawnOptions): TaskHandle<unknown> {
    this.intake.assertOpen();
    const list = validateSpawn(body, args, options, this.capabilities);
    return this.accept(undefined, body, list, options);
  }

  /** @internal Children of live tasks are accepted while the executor drains. */
  spawnChild(parent: Task, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): Task {
    const list = validateSpawn(body, args, options, this.capabilities);
    return this.accept(parent, body, list, options);
  }

  /**
   * Stops intake, then drains (default: every accepted task settles) or cancels (every
   * unsettled task is cancelled with `reason` and its cleanup awaited). Idempotent; a later
   * call in `cancel` mode escalates a drain.
   * @throws InvalidOptionsError for an unknown mode
   */
  close(options?: CloseOptions): Promise<void> {
    return this.intake.close(options, () => {
      this.closeIntake();
    });
  }

  /** Same as `close({ mode: 'drain' })`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close({ mode: 'drain' });
  }

  /** @internal */
  settled(task: Task): void {
    const own = this.own(task);
    this.release(own);
    if (own.parent === undefined && this.limit !== Number.POSITIVE_INFINITY) this.freePlace(own);
    this.intake.settle(own);
  }

  protected override firstStep(task: T): void {
    if (task.spawnedAt !== undefined) this.waits.add(performance.now() - task.spawnedAt);
  }

  /** Makes the executor's task object for an accepted body (the harness gives it the body). */
  protected abstract createTask(parent: Task | undefined, options: SpawnOptions | undefined): T;

  /** Frees what the executor kept for a task once it has settled. Default: what the harness kept ({@link Harness.drop}). */
  protected release(task: T): void {
    this.drop(task);
  }

  /** Called once, when `close()` is first called. Default: nothing. */
  protected closeIntake(): void {
    // Executors with resources of their own (threads) start letting them go here.
  }

  private accept(parent: Task | undefined, body: Spawnable, args: readonly unknown[], options: SpawnOptions | undefined): T {
    const task = this.createTask(parent, options);
    this.intake.accept(task);
    if (__SPINDLE_EVENTS__) publishSpawn(this.label, this.eventLog, task.id, task.name, parent?.id, body);
    if (task.cancelledAtSpawn) {
      // An already aborted signal: accepted and settled as cancelled, the body never runs.
      task.finish(false, undefined);
      return task;
    }
    if (++this.accepted <= TIME_ALL || this.accepted % TIME_EVERY === 0) task.spawnedAt = performance.now();
    this.begin(task, body, args);
    if (parent === undefined && this.limit !== Number.POSITIVE_INFINITY) {
      if (this.running >= this.limit) {
        task.held = true;
        (this.waitingForPlace ??= new PriorityLanes<T>(() => new RingQueue<T>())).push(task);
        this.waitingCount++;
        return task;
      }
      this.running++;
    }
    this.schedule(task);
    return task;
  }

  /** A top-level task settled: its place goes to the next task waiting, if any. */
  private freePlace(task: T): void {
    if (task.held) {
      // Cancelled while it waited: it never had a place. Its queue entry is skipped.
      task.held = false;
      this.waitingCount--;
      return;
    }
    this.running--;
    const waiting = this.waitingForPlace;
    if (waiting === undefined) return;
    for (let next = waiting.shift(); next !== undefined; next = waiting.shift()) {
      if (!next.held) continue;
      next.held = false;
      this.waitingCount--;
      this.running++;
      this.schedule(next);
      return;
    }
  }
}
