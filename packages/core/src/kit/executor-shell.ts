import type { SpawnArgs, SpawnOptions, SpawnResult, Spawnable } from '../contract/body.js';
import type { ExecutorCapabilities } from '../contract/capabilities.js';
import { ExecutorClosedError, InvalidOptionsError, describeValue } from '../contract/errors.js';
import type { CloseOptions, Executor } from '../contract/executor.js';
import type { TaskHandle } from '../contract/task-handle.js';
import { publishSpawn } from '../events/event-stream.js';
import { SlicedHarness } from './sliced-harness.js';
import type { SlicedHarnessOptions } from './sliced-harness.js';
import { validateSpawn } from './spawn-input.js';
import type { SteppedTask } from './stepped-task.js';
import type { Task } from './task.js';

/**
 * What every single-thread executor does the same way, written once: intake (validation,
 * refusing work after `close()`), the accounting of accepted tasks, `close()` in both
 * modes, `Symbol.asyncDispose`, and the spawn events; stepping comes from the
 * {@link SlicedHarness} it extends. A subclass makes its task objects
 * ({@link ExecutorShell.createTask}) and keeps its ready queue (`pushReady`, `takeReady`,
 * `readyCount`): that is, it decides only which ready task goes next.
 *
 * @typeParam T the executor's own task class
 */
export abstract class ExecutorShell<T extends SteppedTask = SteppedTask> extends SlicedHarness<T> implements Executor {
  abstract readonly capabilities: ExecutorCapabilities;
  /** Accepted tasks that have not settled, children included. */
  protected live = 0;
  /** Accepted top-level tasks that have not settled; `close({ mode: 'cancel' })` cancels these. */
  protected readonly roots = new Set<T>();
  private isClosed = false;
  private closing: Promise<void> | undefined = undefined;
  private resolveClosing: (() => void) | undefined = undefined;

  /** @param label the label used in events and errors */
  protected constructor(label: string, options: SlicedHarnessOptions) {
    super(label, options);
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Accepts a task and returns its handle at once.
   * @throws InvalidTaskError for a body, arguments or options that cannot run
   * @throws ExecutorClosedError after `close()`
   */
  spawn<B extends Spawnable>(body: B, args?: SpawnArgs<B>, options?: SpawnOptions): TaskHandle<SpawnResult<B>> {
    if (this.isClosed) throw new ExecutorClosedError(this.label);
    const list = validateSpawn(body, args, options, this.capabilities);
    return this.accept(undefined, body, list, options) as unknown as TaskHandle<SpawnResult<B>>;
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
    const mode: unknown = options?.mode ?? 'drain';
    if (mode !== 'drain' && mode !== 'cancel') {
      throw new InvalidOptionsError('mode', `close mode must be 'drain' or 'cancel', got ${describeValue(mode)}`);
    }
    this.isClosed = true;
    this.closing ??= new Promise<void>((resolve) => {
      this.resolveClosing = resolve;
    });
    this.closeIntake();
    if (mode === 'cancel') {
      const reason = options?.reason ?? new ExecutorClosedError(this.label);
      for (const task of [...this.roots]) task.cancel(reason);
    }
    this.checkClosed();
    return this.closing;
  }

  /** Same as `close({ mode: 'drain' })`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close({ mode: 'drain' });
  }

  /** @internal */
  settled(task: Task): void {
    this.live--;
    const own = this.own(task);
    if (task.parent === undefined) this.roots.delete(own);
    this.release(own);
    if (this.isClosed) this.checkClosed();
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
    this.live++;
    if (parent === undefined) this.roots.add(task);
    if (__SPINDLE_EVENTS__) publishSpawn(this.label, this.eventLog, task.id, task.name, parent?.id, body);
    if (task.cancelledAtSpawn) {
      // An already aborted signal: accepted and settled as cancelled, the body never runs.
      task.finish(false, undefined);
      return task;
    }
    this.begin(task, body, args);
    this.schedule(task);
    return task;
  }

  private checkClosed(): void {
    if (this.live === 0 && this.resolveClosing !== undefined) {
      const resolve = this.resolveClosing;
      this.resolveClosing = undefined;
      resolve();
    }
  }
}
