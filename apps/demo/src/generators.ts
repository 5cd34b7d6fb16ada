import type { TaskContext, TaskHandle } from '@spindle/core';
import type { DemoEnv } from './demo-env.js';

/**
 * get_number(i) as a generator: the same two steps as the state machine, but the compiler
 * keeps the state. `yield promise` parks the task; the executor resumes the generator with
 * the settled value.
 */
export function* getNumber(ctx: TaskContext, env: DemoEnv, index: number): Generator<Promise<number>, number, number> {
  env.notes.note(ctx, `step 1: request number ${index}`);
  const value = yield env.source.fetch(index, ctx.signal);
  env.notes.note(ctx, `step 2: received number ${index} = ${value}`);
  return value;
}

/** get_numbers as a generator: fork one child per number, then join them in order. */
export function* getNumbers(ctx: TaskContext, env: DemoEnv): Generator<TaskHandle<number>, number[], number> {
  const children: TaskHandle<number>[] = [];
  for (let index = 1; index <= env.source.count; index++) {
    children.push(ctx.spawn(getNumber, [env, index], { name: `get_number(${index})` }));
  }
  env.notes.note(ctx, `step 1: spawned ${children.length} fetches, join them in order`);
  const values: number[] = [];
  for (const child of children) {
    // Each `yield` joins one child: the task parks until that child has settled.
    values.push(yield ctx.join(child));
    env.notes.note(ctx, `step ${values.length + 1}: joined get_number(${values.length}) = ${values.at(-1) ?? '?'}`);
  }
  return values;
}
