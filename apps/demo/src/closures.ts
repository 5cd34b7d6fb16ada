import type { StateMachine, TaskContext, TaskHandle } from '@spindle/core';
import type { DemoEnv } from './demo-env.js';

/**
 * get_number(i) as a re-entrant closure: the executor calls the same `next` again and
 * again, and everything that must survive between calls lives in variables the closure
 * captured — the callback style of C# before iterators, or Node before promises. Same
 * steps as the state machine, but the "fields" are locals of the factory.
 */
export function getNumberClosure(env: DemoEnv, index: number): StateMachine<number> {
  let step = 0;
  let received: number | undefined;
  const machine = {
    result: Number.NaN,
    next(ctx: TaskContext): boolean | PromiseLike<unknown> {
      step++;
      if (step === 1) {
        env.notes.note(ctx, `call 1: request number ${String(index)}`);
        // The callback re-enters the closure's scope when the number arrives.
        return env.source.fetch(index, ctx.signal).then((value) => {
          received = value;
        });
      }
      if (received === undefined) throw new Error(`get_number(${String(index)}) re-entered before its number arrived`);
      machine.result = received;
      env.notes.note(ctx, `call 2: received number ${String(index)} = ${String(received)}`);
      return true;
    },
  };
  return machine;
}

/** get_numbers as a closure: fork on the first call, collect on the second. */
export function getNumbersClosure(env: DemoEnv): StateMachine<number[]> {
  let children: TaskHandle<number>[] | undefined;
  const machine = {
    result: [] as number[],
    next(ctx: TaskContext): boolean | PromiseLike<unknown> {
      if (children === undefined) {
        children = [];
        for (let index = 1; index <= env.source.count; index++) {
          children.push(ctx.spawn(getNumberClosure(env, index), [], { name: `get_number(${String(index)})` }));
        }
        env.notes.note(ctx, `call 1: spawned ${String(children.length)} fetches`);
        return Promise.all(children.map((child) => ctx.join(child))).then((values) => {
          machine.result = values;
        });
      }
      env.notes.note(ctx, `call 2: got [${machine.result.join(', ')}]`);
      return true;
    },
  };
  return machine;
}
