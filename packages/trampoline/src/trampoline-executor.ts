import { ExecutorClosedError } from '@spindle/core';
import type { ExecutorCapabilities, SpawnOptions, TaskHandle } from '@spindle/core';
import { ExecutorShell, resolveSliceOptions } from '@spindle/core/kit';
import type { ShellStats, Task } from '@spindle/core/kit';
import { assertOperation } from './operation.js';
import type { Operation } from './operation.js';
import type { TrampolineOptions } from './options.js';
import { startOperation } from './start-operation.js';
import { trampolineInstructions } from './trampoline-instructions.js';
import { TrampolineTask } from './trampoline-task.js';

const capabilities: ExecutorCapabilities = Object.freeze({
  name: 'trampoline',
  parallel: false,
  closures: true,
  clonesArguments: false,
  timeSliced: true,
  ordering: 'fifo',
  priorities: true,
});

/** Figures a trampoline executor keeps about itself (see `ShellStats`). */
export type TrampolineStats = ShellStats;

let executors = 0;

/**
 * Drives generator coroutines, and every other body kind Spindle defines, on one thread.
 *
 * - `yield` a promise-like: the task parks (costs nothing) and resumes when it settles,
 *   in the microtask that settles it, with its value or its rejection thrown in.
 * - `yield*` an {@link Operation}: a typed call. The callers wait on the heap (core's
 *   `Coroutine` frame stack), so chains of any depth and synchronous chains of any length
 *   run in constant stack; what is already available (a call, the context, a finished
 *   task) is answered within the step, without a microtask.
 * - Time-sliced: after `sliceMs` the executor continues in `setImmediate`, so timers and
 *   I/O are never starved, not even by a task that waits on settled promises forever.
 * - Priorities: a ready task of a higher priority always steps first (strict: a
 *   higher-priority task that yields for ever starves lower ones; one that waits lets
 *   them run).
 * - Ordering: tasks of one priority start in spawn order (`fifo`); a woken task resumes
 *   at once rather than queueing behind ready ones of its priority or lower, so there is
 *   no per-step round-robin promise.
 * - Every step runs in the async context (AsyncLocalStorage) the task was spawned in.
 */
export class TrampolineExecutor extends ExecutorShell<TrampolineTask> {
  /** One thread, closures accepted, time-sliced, tasks start in spawn order (`fifo`). */
  readonly capabilities: ExecutorCapabilities = capabilities;

  /** @throws InvalidOptionsError naming the option at fault */
  constructor(options?: TrampolineOptions) {
    const resolved = resolveSliceOptions('trampoline', options);
    // A woken task steps in the callback that woke it, and a wait on a promise it has seen
    // settle is answered within the step: no trip through the queue for either.
    super(resolved.label ?? `trampoline#${++executors}`, {
      sliceMs: resolved.sliceMs,
      concurrency: resolved.concurrency,
      instructions: trampolineInstructions,
      stepOnWake: true,
      answerSettledWaits: true,
    });
  }

  /** Current figures; cheap enough to poll. */
  get stats(): TrampolineStats {
    return this.shellStats();
  }

  /**
   * Runs an operation as a new root task: `await executor.run(main())`.
   * @throws ExecutorClosedError after `close()`
   * @throws InvalidTaskError (`not-a-body`) when `op` is not an operation (has no `[Symbol.iterator]`)
   */
  run<T>(op: Operation<T>, options?: SpawnOptions): TaskHandle<T> {
    if (this.closed) throw new ExecutorClosedError(this.label);
    assertOperation(op, 'run()');
    return this.spawn(startOperation, [op as Operation<unknown>], options) as TaskHandle<T>;
  }

  protected createTask(parent: Task | undefined, options: SpawnOptions | undefined): TrampolineTask {
    return new TrampolineTask(this, parent, options);
  }

  protected isOwn(task: Task): task is TrampolineTask {
    return task instanceof TrampolineTask;
  }
}
