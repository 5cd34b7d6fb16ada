// The baselines: what you would write by hand without Spindle.
import { AsyncResource } from 'node:async_hooks';

/** The part of a state machine the hand-written loop uses. */
export interface Steppable {
  next(): boolean;
  readonly result: number;
}

/**
 * A hand-written round-robin scheduler: a FIFO ring buffer over the machines, each takes
 * one step per turn and goes to the back until it reports done. Returns the sum of the
 * machines' results.
 */
export function roundRobinLoop(machines: readonly Steppable[]): number {
  let capacity = 2;
  while (capacity < machines.length) capacity *= 2;
  const mask = capacity - 1;
  const queue = new Array<Steppable | undefined>(capacity);
  let head = 0;
  let count = 0;
  for (const machine of machines) queue[count++] = machine;
  let total = 0;
  while (count > 0) {
    const machine = queue[head];
    if (machine === undefined) break;
    queue[head] = undefined;
    head = (head + 1) & mask;
    count--;
    if (machine.next()) {
      total += machine.result;
    } else {
      queue[(head + count) & mask] = machine;
      count++;
    }
  }
  return total;
}

const stepMachine = (machine: Steppable): boolean => machine.next();

/**
 * {@link roundRobinLoop}, with each step entered in its machine's own `AsyncResource`, as
 * the contract's per-task async context requires of every executor: the floor under any
 * executor's step on this Node, without the executor. Returns the same sum.
 */
export function roundRobinLoopInContext(machines: readonly Steppable[]): number {
  let capacity = 2;
  while (capacity < machines.length) capacity *= 2;
  const mask = capacity - 1;
  const queue = new Array<Steppable | undefined>(capacity);
  const scopes = new Array<AsyncResource | undefined>(capacity);
  let head = 0;
  let count = 0;
  for (const machine of machines) {
    scopes[count] = new AsyncResource('bench.machine', { requireManualDestroy: true });
    queue[count++] = machine;
  }
  let total = 0;
  while (count > 0) {
    const machine = queue[head];
    const scope = scopes[head];
    if (machine === undefined || scope === undefined) break;
    queue[head] = undefined;
    scopes[head] = undefined;
    head = (head + 1) & mask;
    count--;
    if (scope.runInAsyncScope(stepMachine, undefined, machine)) {
      total += machine.result;
    } else {
      const tail = (head + count) & mask;
      queue[tail] = machine;
      scopes[tail] = scope;
      count++;
    }
  }
  return total;
}

/**
 * The same loop over generator objects: `next()` runs one step, `done` ends the task.
 * Returns the sum of the generators' return values.
 */
export function roundRobinGenerators(generators: readonly Generator<unknown, number>[]): number {
  let capacity = 2;
  while (capacity < generators.length) capacity *= 2;
  const mask = capacity - 1;
  const queue = new Array<Generator<unknown, number> | undefined>(capacity);
  let head = 0;
  let count = 0;
  for (const generator of generators) queue[count++] = generator;
  let total = 0;
  while (count > 0) {
    const generator = queue[head];
    if (generator === undefined) break;
    queue[head] = undefined;
    head = (head + 1) & mask;
    count--;
    const step = generator.next();
    if (step.done === true) {
      total += step.value;
    } else {
      queue[(head + count) & mask] = generator;
      count++;
    }
  }
  return total;
}

/** Native async/await: an async function of `steps` steps that `await undefined` between them. */
export async function nativeYielding(steps: number): Promise<number> {
  // Awaiting a non-promise is exactly the native yield point measured here: V8 wraps it in
  // a resolved promise and resumes on the microtask queue, behind every other ready task.
  // eslint-disable-next-line @typescript-eslint/await-thenable
  for (let i = 1; i < steps; i++) await undefined;
  return steps;
}

/** Native async/await: an async function of `steps` steps that awaits `awaited` between them. */
export async function nativeAwaiting(steps: number, awaited: PromiseLike<unknown>): Promise<number> {
  for (let i = 1; i < steps; i++) await awaited;
  return steps;
}

/** Runs `count` native tasks made by `start` concurrently and sums their results. */
export async function nativeAll(count: number, start: () => Promise<number>): Promise<number> {
  const running = new Array<Promise<number>>(count);
  for (let i = 0; i < count; i++) running[i] = start();
  let total = 0;
  for (const value of await Promise.all(running)) total += value;
  return total;
}
