import { ExecutorClosedError, InvalidOptionsError, describeValue } from '../contract/errors.js';
import type { CloseOptions } from '../contract/executor.js';
import type { Task } from './task.js';

/**
 * What an executor has accepted and still owes, and `close()` in both modes, written once
 * for every executor (single-thread ones through `ExecutorShell`, others by holding one):
 * work is refused after `close()`; `drain` resolves once every accepted task has settled;
 * `cancel` cancels every unsettled top-level task (their children follow) and resolves
 * once they have settled; nothing accepted is dropped either way.
 *
 * @typeParam T the executor's task class
 */
export class Intake<T extends Task = Task> {
  /** Accepted top-level tasks that have not settled; `close({ mode: 'cancel' })` cancels these. */
  readonly roots = new Set<T>();
  private count = 0;
  private isClosed = false;
  private closing: Promise<void> | undefined = undefined;
  private resolveClosing: (() => void) | undefined = undefined;
  private readonly label: string;
  private readonly drained: () => Promise<void> | void;

  /**
   * @param label the executor's label, for errors
   * @param drained runs once, when the executor is closed and every accepted task has
   *   settled (stop threads, close connections); `close()` resolves after it
   */
  constructor(label: string, drained: () => Promise<void> | void = () => undefined) {
    this.label = label;
    this.drained = drained;
  }

  /** Accepted tasks that have not settled, children included. */
  get live(): number {
    return this.count;
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** @throws ExecutorClosedError after `close()` */
  assertOpen(): void {
    if (this.isClosed) throw new ExecutorClosedError(this.label);
  }

  /** Counts an accepted task (a top-level one is also kept for `close({ mode: 'cancel' })`). */
  accept(task: T): void {
    this.count++;
    if (task.parent === undefined) this.roots.add(task);
  }

  /** Counts a settled task; returns true when none is left. */
  settle(task: T): boolean {
    this.count--;
    if (task.parent === undefined) this.roots.delete(task);
    if (this.isClosed) this.check();
    return this.count === 0;
  }

  /**
   * Stops intake, then drains or cancels (see {@link Intake}). Idempotent; a later call in
   * `cancel` mode escalates a drain.
   * @param first runs on the first call only, before anything settles (let resources go)
   * @throws InvalidOptionsError for an unknown mode
   */
  close(options: CloseOptions | undefined, first?: () => void): Promise<void> {
    const mode: unknown = options?.mode ?? 'drain';
    if (mode !== 'drain' && mode !== 'cancel') {
      throw new InvalidOptionsError('mode', `close mode must be 'drain' or 'cancel', got ${describeValue(mode)}`);
    }
    const wasClosed = this.isClosed;
    this.isClosed = true;
    this.closing ??= new Promise<void>((resolve) => {
      this.resolveClosing = resolve;
    });
    if (!wasClosed) first?.();
    if (mode === 'cancel') {
      const reason = options?.reason ?? new ExecutorClosedError(this.label);
      for (const task of [...this.roots]) task.cancel(reason);
    }
    this.check();
    return this.closing;
  }

  private check(): void {
    const resolve = this.resolveClosing;
    if (this.count !== 0 || resolve === undefined) return;
    this.resolveClosing = undefined;
    const done = this.drained();
    if (done === undefined) resolve();
    else void done.then(resolve, resolve);
  }
}
