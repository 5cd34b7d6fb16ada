// The generator-coroutine workloads of the `trampoline` suite, written once per contender:
// @spindle/trampoline (in trampoline-workloads.ts), co, Effection, Effect.gen and native
// async/await. Each returns a checksum of the work done, which the runner checks is the
// same for all of them.
import co from 'co';
import { Effect, Fiber } from 'effect';
import * as effection from 'effection';
import * as builtTrampoline from '@spindle/trampoline';
import { total, trampolineWorkloads } from './trampoline-workloads.js';

/** The already-resolved value every "resolved" wait uses. */
export const one: Promise<number> = Promise.resolve(1);

/** @spindle/trampoline's side of each workload, on the build as installed. */
export const trampolineWorkloadsAsBuilt = trampolineWorkloads(builtTrampoline, one);

// ---------------------------------------------------------------------------------------
// 1. `n` waits on an already-resolved promise in one task. Checksum: n.

export async function nativeAwaits(n: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await one;
  return sum;
}

export function coAwaits(n: number): Promise<number> {
  return co(function* () {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const value: number = yield one;
      sum += value;
    }
    return sum;
  });
}

export function effectionAwaits(n: number): PromiseLike<number> {
  return effection.run(function* () {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += yield* effection.until(one);
    return sum;
  });
}

export function effectAwaits(n: number): Promise<number> {
  return Effect.runPromise(
    Effect.gen(function* () {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += yield* Effect.promise(() => one);
      return sum;
    }),
  );
}

// ---------------------------------------------------------------------------------------
// 1b. `n` waits in one task, each on a fresh resolved promise (it settles a microtask
// later, so every wait parks and wakes). Checksum: n.

export async function nativeFreshAwaits(n: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await Promise.resolve(1);
  return sum;
}

export function coFreshAwaits(n: number): Promise<number> {
  return co(function* () {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const value: number = yield Promise.resolve(1);
      sum += value;
    }
    return sum;
  });
}

export function effectionFreshAwaits(n: number): PromiseLike<number> {
  return effection.run(function* () {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += yield* effection.until(Promise.resolve(1));
    return sum;
  });
}

export function effectFreshAwaits(n: number): Promise<number> {
  return Effect.runPromise(
    Effect.gen(function* () {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += yield* Effect.promise(() => Promise.resolve(1));
      return sum;
    }),
  );
}

// ---------------------------------------------------------------------------------------
// 2. `n` yields of a value that is already there, each library's synchronous way: an
//    operation that returns at once (trampoline), `Effect.succeed`, Effection's `constant`.
//    Native has no synchronous form: `await 1` still takes a microtask. Checksum: n.

export async function nativeAwaitsValue(n: number): Promise<number> {
  let sum = 0;
  // eslint-disable-next-line @typescript-eslint/await-thenable -- awaiting a plain value is the point
  for (let i = 0; i < n; i++) sum += await 1;
  return sum;
}

export function effectionSyncValues(n: number): PromiseLike<number> {
  return effection.run(function* () {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += yield* effection.call(() => 1);
    return sum;
  });
}

export function effectSyncValues(n: number): Promise<number> {
  return Effect.runPromise(
    Effect.gen(function* () {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += yield* Effect.succeed(1);
      return sum;
    }),
  );
}

// ---------------------------------------------------------------------------------------
// 3. Recursion: a chain of `yield*` calls `depth` deep whose leaf takes `leafSteps` steps,
//    each waiting on the resolved promise. Every level adds 1. Checksum: depth + leafSteps.

export function nativeRecursion(depth: number, leafSteps: number): Promise<number> {
  const node = async (d: number): Promise<number> => {
    if (d === 0) {
      let sum = 0;
      for (let i = 0; i < leafSteps; i++) sum += await one;
      return sum;
    }
    return 1 + (await node(d - 1));
  };
  return node(depth);
}

function* coNode(d: number, leafSteps: number): Generator<unknown, number, number> {
  if (d === 0) {
    let sum = 0;
    for (let i = 0; i < leafSteps; i++) sum += yield one;
    return sum;
  }
  return 1 + (yield* coNode(d - 1, leafSteps));
}

export function coRecursion(depth: number, leafSteps: number): Promise<number> {
  return co(coNode, depth, leafSteps);
}

function* effectionNode(d: number, leafSteps: number): effection.Operation<number> {
  if (d === 0) {
    let sum = 0;
    for (let i = 0; i < leafSteps; i++) sum += yield* effection.until(one);
    return sum;
  }
  return 1 + (yield* effectionNode(d - 1, leafSteps));
}

export function effectionRecursion(depth: number, leafSteps: number): PromiseLike<number> {
  return effection.run(() => effectionNode(depth, leafSteps));
}

const effectNode = (d: number, leafSteps: number): Effect.Effect<number> =>
  Effect.gen(function* () {
    if (d === 0) {
      let sum = 0;
      for (let i = 0; i < leafSteps; i++) sum += yield* Effect.promise(() => one);
      return sum;
    }
    return 1 + (yield* effectNode(d - 1, leafSteps));
  });

export function effectRecursion(depth: number, leafSteps: number): Promise<number> {
  return Effect.runPromise(effectNode(depth, leafSteps));
}

// ---------------------------------------------------------------------------------------
// 4. `tasks` concurrent tasks, each awaiting `links` fresh resolved promises in a row (a
//    timer-free chain), run with each library's structured `all`. Checksum: tasks × links.

export async function nativeConcurrent(tasks: number, links: number): Promise<number> {
  const one = async (): Promise<number> => {
    let sum = 0;
    for (let k = 0; k < links; k++) sum += await Promise.resolve(1);
    return sum;
  };
  const running = new Array<Promise<number>>(tasks);
  for (let i = 0; i < tasks; i++) running[i] = one();
  return total(await Promise.all(running));
}

export async function coConcurrent(tasks: number, links: number): Promise<number> {
  const chain = function* (): Generator<unknown, number, number> {
    let sum = 0;
    for (let k = 0; k < links; k++) sum += yield Promise.resolve(1);
    return sum;
  };
  const running = new Array<Promise<number>>(tasks);
  for (let i = 0; i < tasks; i++) running[i] = co(chain);
  return total(await Promise.all(running));
}

function* effectionChain(links: number): effection.Operation<number> {
  let sum = 0;
  for (let k = 0; k < links; k++) sum += yield* effection.until(Promise.resolve(1));
  return sum;
}

export async function effectionConcurrent(tasks: number, links: number): Promise<number> {
  const ops = new Array<effection.Operation<number>>(tasks);
  for (let i = 0; i < tasks; i++) ops[i] = effectionChain(links);
  return total(await effection.run(() => effection.all(ops)));
}

export async function effectConcurrent(tasks: number, links: number): Promise<number> {
  const chain = Effect.gen(function* () {
    let sum = 0;
    for (let k = 0; k < links; k++) sum += yield* Effect.promise(() => Promise.resolve(1));
    return sum;
  });
  const effects = new Array<Effect.Effect<number>>(tasks);
  for (let i = 0; i < tasks; i++) effects[i] = chain;
  return total(await Effect.runPromise(Effect.all(effects, { concurrency: 'unbounded' })));
}

// ---------------------------------------------------------------------------------------
// 5. One task spawns `children` children (each returns 1 at once) and joins them all.
//    Checksum: children.

export async function nativeSpawnJoin(children: number): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/require-await -- an async fn that returns at once is the child
  const child = async (): Promise<number> => 1;
  const running = new Array<Promise<number>>(children);
  for (let i = 0; i < children; i++) running[i] = child();
  let sum = 0;
  for (const promise of running) sum += await promise;
  return sum;
}

export function coSpawnJoin(children: number): Promise<number> {
  // eslint-disable-next-line require-yield -- a child that finishes at once is the point
  const child = function* (): Generator<unknown, number, unknown> {
    return 1;
  };
  return co(function* () {
    const running = new Array<Promise<number>>(children);
    for (let i = 0; i < children; i++) running[i] = co(child);
    let sum = 0;
    for (const promise of running) {
      const value: number = yield promise;
      sum += value;
    }
    return sum;
  });
}

export function effectionSpawnJoin(children: number): PromiseLike<number> {
  // eslint-disable-next-line require-yield -- a child that finishes at once is the point
  const child = function* (): effection.Operation<number> {
    return 1;
  };
  return effection.run(function* () {
    const tasks = new Array<effection.Task<number>>(children);
    for (let i = 0; i < children; i++) tasks[i] = yield* effection.spawn(child);
    let sum = 0;
    for (const task of tasks) sum += yield* task;
    return sum;
  });
}

export function effectSpawnJoin(children: number): Promise<number> {
  const child = Effect.succeed(1);
  return Effect.runPromise(
    Effect.gen(function* () {
      const fibers = new Array<Fiber.Fiber<number>>(children);
      for (let i = 0; i < children; i++) fibers[i] = yield* Effect.forkChild(child);
      let sum = 0;
      for (const fiber of fibers) sum += yield* Fiber.join(fiber);
      return sum;
    }),
  );
}
