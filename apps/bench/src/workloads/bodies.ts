import type { TaskContext } from '@spindle/core';

// Task bodies of `steps` steps each, one per body kind. A step runs from one yield point to
// the next, so a body of `steps` steps has `steps - 1` yield points. Each returns its step
// count, which the runner sums into a checksum.

/** Generator body: bare `yield` (back of the ready queue) between steps. */
export function* yieldingGenerator(_ctx: TaskContext, steps: number): Generator<undefined, number, unknown> {
  for (let i = 1; i < steps; i++) yield;
  return steps;
}

/** Generator body: `yield awaited` (park on an already-resolved promise) between steps. */
export function* awaitingGenerator(_ctx: TaskContext, steps: number, awaited: PromiseLike<unknown>): Generator<PromiseLike<unknown>, number, unknown> {
  for (let i = 1; i < steps; i++) yield awaited;
  return steps;
}

/** Async body: `await ctx.yield()` (ask the executor for the next turn) between steps. */
export async function yieldingAsync(ctx: TaskContext, steps: number): Promise<number> {
  for (let i = 1; i < steps; i++) await ctx.yield();
  return steps;
}

/** Async body: `await awaited` (an already-resolved promise) between steps. */
export async function awaitingAsync(_ctx: TaskContext, steps: number, awaited: PromiseLike<unknown>): Promise<number> {
  for (let i = 1; i < steps; i++) await awaited;
  return steps;
}
