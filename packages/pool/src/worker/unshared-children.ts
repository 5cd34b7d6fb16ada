import type { TaskReference } from '@spindle/core';
import type { Task } from '@spindle/core/kit';
import type { WorkerTask } from './worker-task.js';

/** A child kept in the thread that spawned it, not yet started: what starting it or sharing it later needs. */
export interface UnsharedChild {
  readonly task: WorkerTask;
  readonly parent: Task;
  readonly body: TaskReference<never>;
  readonly args: readonly unknown[];
  readonly name: string | undefined;
}

/**
 * Children a worker keeps to itself, newest last, unserialised: with its deque holding
 * enough for thieves (or no other worker to steal), a child that would go into a shared
 * slot only to be popped by the same worker a moment later skips the slot, the payload's
 * encoding and decoding, and the deque. The worker starts the newest first (as it pops its
 * deque), and moves the oldest to its deque when other workers look for work.
 *
 * Only children whose arguments are all primitives stay: what a child receives is a copy of
 * its arguments wherever it runs, and a primitive is its own copy.
 */
export class UnsharedChildren {
  private readonly stack: UnsharedChild[] = [];

  get size(): number {
    return this.stack.length;
  }

  /** Whether every argument is a primitive (see the class). */
  static holds(args: readonly unknown[]): boolean {
    for (const value of args) if (typeof value === 'object' ? value !== null : typeof value === 'function') return false;
    return true;
  }

  push(child: UnsharedChild): void {
    this.stack.push(child);
  }

  /** The newest child. */
  pop(): UnsharedChild | undefined {
    return this.stack.pop();
  }

  /** The oldest child (the largest, in a recursive split): the one to give to another worker. */
  shift(): UnsharedChild | undefined {
    return this.stack.shift();
  }
}
