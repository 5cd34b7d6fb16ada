// The `memory` suite's workload, written once per contender: `count` tasks each parked on
// one promise (the gate) until it resolves. Each function starts them all and returns what
// it holds for them (the handles, promises or fibers an application would keep), so that
// the caller can measure the heap while they are parked, then open the gate and join them.
import co from 'co';
import { Effect, Fiber } from 'effect';
import type { TaskHandle } from '@spindle/core';
import type { RoundRobinExecutor } from '@spindle/round-robin';
import type { TrampolineExecutor } from '@spindle/trampoline';

/** Tasks parked on the gate, and how to join them once it is open (checksum: one per task). */
export interface Parked {
  /** What the application keeps per task; counted in the heap while they are parked. */
  readonly held: readonly unknown[];
  join(): Promise<number>;
}

function sumOf(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

async function joinAll(promises: readonly PromiseLike<number>[]): Promise<number> {
  return sumOf(await Promise.all(promises));
}

export function parkNative(count: number, gate: Promise<number>): Parked {
  const body = async (): Promise<number> => await gate;
  const held = new Array<Promise<number>>(count);
  for (let i = 0; i < count; i++) held[i] = body();
  return { held, join: () => joinAll(held) };
}

export function parkCo(count: number, gate: Promise<number>): Parked {
  const body = function* (): Generator<unknown, number, number> {
    return yield gate;
  };
  const held = new Array<Promise<number>>(count);
  for (let i = 0; i < count; i++) held[i] = co(body);
  return { held, join: () => joinAll(held) };
}

export function parkEffect(count: number, gate: Promise<number>): Parked {
  const body = Effect.gen(function* () {
    return yield* Effect.promise(() => gate);
  });
  const held = new Array<Fiber.Fiber<number>>(count);
  for (let i = 0; i < count; i++) held[i] = Effect.runFork(body);
  return { held, join: () => Effect.runPromise(Effect.map(Fiber.joinAll(held), sumOf)) };
}

export function parkTrampoline(executor: TrampolineExecutor, count: number, gate: Promise<number>): Parked {
  const body = function* (): Generator<unknown, number, number> {
    return yield gate;
  };
  const held = new Array<TaskHandle<number>>(count);
  for (let i = 0; i < count; i++) held[i] = executor.spawn(body);
  return { held, join: () => joinAll(held) };
}

export function parkRoundRobin(executor: RoundRobinExecutor, count: number, gate: Promise<number>): Parked {
  const body = async (): Promise<number> => await gate;
  const held = new Array<TaskHandle<number>>(count);
  for (let i = 0; i < count; i++) held[i] = executor.spawn(body);
  return { held, join: () => joinAll(held) };
}
