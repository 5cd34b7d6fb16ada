import type { Executor } from '@spindle/core';
import { FifoExecutor } from './fifo-executor.js';
import type { FifoTask } from './fifo-executor.js';

/** Fulfils a task whose body threw, with `undefined`: the error is lost. */
export class SwallowsErrors extends FifoExecutor {
  protected override failed(task: FifoTask): void {
    task.finish(false, undefined);
  }
}

/** Never stops a body: cancellation requests are ignored, aborted signals too. */
export class IgnoresCancellation extends FifoExecutor {
  override interrupt(): void {
    // Deliberately nothing.
  }

  protected override settleCancelledAtSpawn(task: FifoTask): void {
    this.enqueue(task);
  }
}

/** In drain mode, drops tasks that have not started yet: they never settle. */
export class LosesTaskOnClose extends FifoExecutor {
  override close(options?: Parameters<FifoExecutor['close']>[0]): Promise<void> {
    if (options?.mode !== 'cancel') {
      for (const task of this.ready.drain()) {
        if (task.state === 'pending') this.live.delete(task);
        else this.ready.push(task);
      }
    }
    return super.close(options);
  }
}

/** Claims round-robin ordering but lets a task that yields take three steps per turn. */
export class Unfair extends FifoExecutor {
  protected override readonly stepsPerTurn: number = 3;
}

/** The broken executors by name, as the meta-tests select them. */
export const brokenExecutors = {
  'swallows-errors': () => new SwallowsErrors(),
  'ignores-cancellation': () => new IgnoresCancellation(),
  'loses-task-on-close': () => new LosesTaskOnClose(),
  unfair: () => new Unfair(),
} satisfies Record<string, () => Executor>;

/** Names of the broken executors. */
export type BrokenExecutorName = keyof typeof brokenExecutors;
