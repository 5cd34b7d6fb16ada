import type { TaskContext } from '@spindle/core';
import type { DemoEnv } from './demo-env.js';

/**
 * get_number(i) as an async function. The executor runs its first step (up to the first
 * `await`) and then parks the task on the function's promise: what follows an `await`
 * runs on Node's microtask queue, not as an executor step. The log shows the difference.
 */
export async function getNumber(ctx: TaskContext, env: DemoEnv, index: number): Promise<number> {
  env.notes.note(ctx, `step 1: request number ${index}`);
  const value = await env.source.fetch(index, ctx.signal);
  env.notes.note(ctx, `after await: received number ${index} = ${value}`);
  return value;
}

/** get_numbers as an async function: fork one child per number, then await them all. */
export async function getNumbers(ctx: TaskContext, env: DemoEnv): Promise<number[]> {
  const children = [];
  for (let index = 1; index <= env.source.count; index++) {
    children.push(ctx.spawn(getNumber, [env, index], { name: `get_number(${index})` }));
  }
  env.notes.note(ctx, `step 1: spawned ${children.length} fetches, await all`);
  const values = await Promise.all(children.map((child) => ctx.join(child)));
  env.notes.note(ctx, `after await: got [${values.join(', ')}]`);
  return values;
}
