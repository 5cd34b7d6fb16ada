// The gate of gate-fixtures.mjs: shared memory a `hold` task waits on inside its worker
// until the test opens it, so that tasks queue up behind it; and the fixtures' references.
import { taskRef } from '@spindle/core';
import type { TaskContext } from '@spindle/core';

export const gateFixtures = new URL('./gate-fixtures.mjs', import.meta.url);

/** A fixture's body type (the fixtures are JavaScript): its arguments `A`, its result `R`. */
export type Body<A extends unknown[], R> = (ctx: TaskContext, ...args: A) => R;

/** The task's place in the order tasks start on its worker. */
export const order = taskRef<Body<unknown[], number>>(gateFixtures, 'order');
/** Holds its worker at the gate; its place in the start order. */
export const hold = taskRef<Body<[], number>>(gateFixtures, 'hold');
/** Gives the worker it runs on the gate's memory (run it on every worker that holds). */
export const installGate = taskRef<Body<[SharedArrayBuffer], number>>(gateFixtures, 'installGate');

export class Gate {
  readonly memory = new SharedArrayBuffer(8);
  private readonly words = new Int32Array(this.memory);

  /** Resolves once `n` tasks in all have reached the gate. */
  async held(n: number): Promise<void> {
    for (let seen = Atomics.load(this.words, 1); seen < n; seen = Atomics.load(this.words, 1)) {
      const waiting = Atomics.waitAsync(this.words, 1, seen);
      if (waiting.async) await waiting.value;
    }
  }

  open(): void {
    Atomics.store(this.words, 0, 1);
    Atomics.notify(this.words, 0);
  }
}
