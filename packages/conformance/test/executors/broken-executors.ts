import type { Executor, SpawnOptions } from '@spindle/core';
import { Step } from '@spindle/core/kit';
import type { StepOutcome, Task } from '@spindle/core/kit';
import { FifoExecutor, FifoTask } from './fifo-executor.js';

/** A task that loses its body's error where the harness hands it over: `finish`. */
class ErrorSwallowingTask extends FifoTask {
  override finish(failed: boolean, value: unknown): void {
    super.finish(false, failed ? undefined : value);
  }
}

/** Fulfils a task whose body threw, with `undefined`: the error is lost. */
export class SwallowsErrors extends FifoExecutor {
  protected override createTask(parent: Task | undefined, options: SpawnOptions | undefined): FifoTask {
    return new ErrorSwallowingTask(this, parent, options);
  }
}

/** A task that never admits it was cancelled before it started. */
class StartsAnywayTask extends FifoTask {
  override get cancelledAtSpawn(): boolean {
    return false;
  }
}

/** Never stops a body: cancellation requests are ignored, aborted signals too. */
export class IgnoresCancellation extends FifoExecutor {
  override interrupt(): void {
    // Deliberately nothing.
  }

  protected override createTask(parent: Task | undefined, options: SpawnOptions | undefined): FifoTask {
    return new StartsAnywayTask(this, parent, options);
  }
}

/** In drain mode, drops tasks that have not started yet: they never settle. */
export class LosesTaskOnClose extends FifoExecutor {
  override close(options?: Parameters<FifoExecutor['close']>[0]): Promise<void> {
    if (options?.mode !== 'cancel') {
      for (const task of this.ready.drain()) {
        if (task.state !== 'pending') {
          this.ready.push(task);
          continue;
        }
        // Forgotten: counted as settled, but never stepped and never settled.
        this.intake.settle(task);
      }
    }
    return super.close(options);
  }
}

/** Claims round-robin ordering but lets a task that yields take three steps per turn. */
export class Unfair extends FifoExecutor {
  /** The task whose yield does not queue it: it steps again at once. */
  private holding: FifoTask | undefined = undefined;

  override step(task: FifoTask, enter = true): StepOutcome {
    let outcome: StepOutcome = Step.Yield;
    for (let taken = 0; taken < 3 && outcome === Step.Yield && !task.bodyFinished; taken++) {
      this.holding = taken < 2 ? task : undefined;
      outcome = super.step(task, enter);
    }
    this.holding = undefined;
    return outcome;
  }

  protected override pushReady(task: FifoTask): void {
    if (task !== this.holding) super.pushReady(task);
  }
}

/**
 * Settles a task cancelled before its first step at once, as it should, but its body
 * stays queued and still runs: the queue's entry outlives the cancellation (as a worker
 * pool's shared queue would if cancelling only settled the handle). It declares itself
 * parallel, so the suite can catch it only by what it checks on a pool too: a body that
 * starts after its task settled as cancelled.
 */
export class RunsCancelledTasks extends FifoExecutor {
  constructor() {
    super({ capabilities: { parallel: true } });
  }

  override interrupt(task: Task): void {
    const own = this.own(task);
    if (own.state !== 'pending') {
      super.interrupt(task);
      return;
    }
    // The body moves to a task nobody holds, counted live so that close() still waits for it.
    const stray = this.createTask(undefined, undefined);
    stray.coroutine = own.coroutine;
    stray.scope = own.scope;
    stray.reference = own.reference;
    own.coroutine = undefined;
    own.scope = undefined;
    this.intake.accept(stray);
    own.finish(false, undefined);
    this.schedule(stray);
  }
}

/** The broken executors by name, as the meta-tests select them. */
export const brokenExecutors = {
  'swallows-errors': () => new SwallowsErrors(),
  'ignores-cancellation': () => new IgnoresCancellation(),
  'loses-task-on-close': () => new LosesTaskOnClose(),
  unfair: () => new Unfair(),
  'runs-cancelled-tasks': () => new RunsCancelledTasks(),
} satisfies Record<string, () => Executor>;

/** Names of the broken executors. */
export type BrokenExecutorName = keyof typeof brokenExecutors;
