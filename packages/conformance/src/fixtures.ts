/**
 * Task bodies the conformance suite runs. The package builds this module as its own entry
 * (`dist/fixtures.js`, `dist/fixtures.cjs`) so that any executor can load its exports by
 * task reference, a worker pool included. Every body talks to the test only through its
 * arguments (numbers, strings, boards on shared memory), so the closure and the referenced
 * copy behave the same wherever they run. Bodies that spawn children take `byReference`
 * and spawn them by reference when it is true.
 *
 * @packageDocumentation
 */
import { threadId } from 'node:worker_threads';
import { taskRef } from '@spindle/core';
import type { SpawnArgs, SpawnResult, TaskContext, TaskFunction, TaskHandle } from '@spindle/core';
import { Slot, bump, read } from './board.js';
import type { Board } from './board.js';
import { endWorkerOnce } from './end-worker-once.js';
import { canCollectGarbage, heapAfterCollection } from './heap-after-collection.js';

const here = import.meta.url;

/** Spawns `body` as a child: by reference (this module's export `name`) or as the closure itself. */
function spawnChild<F extends TaskFunction>(
  ctx: TaskContext,
  byReference: boolean,
  body: F,
  name: string,
  args: SpawnArgs<F>,
): TaskHandle<SpawnResult<F>> {
  if (!byReference) return ctx.spawn<F>(body, args);
  // A reference to F takes F's arguments and gives F's result; the compiler cannot see
  // through the two conditional types, so it is said once, here.
  return ctx.spawn(taskRef(here, name), args) as TaskHandle<SpawnResult<F>>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function nameAndCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return `${error instanceof Error ? error.name : typeof error} ${String(code)}`;
}

/** Resolves once the board's `release` slot is set. */
function released(board: Board): Promise<void> {
  if (read(board, Slot.release) !== 0) return Promise.resolve();
  const waiting = Atomics.waitAsync(board, Slot.release, 0);
  return waiting.async ? waiting.value.then(() => released(board)) : released(board);
}

/** A thenable that is not a native promise. */
function thenableOf<T>(value: T): PromiseLike<T> {
  return {
    then<A = T, B = never>(onfulfilled?: ((value: T) => A | PromiseLike<A>) | null, onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null) {
      return Promise.resolve(value).then(onfulfilled, onrejected);
    },
  };
}

/** An export that is not a function: referencing it is an unknown reference. */
export const notABody = 42;

// ---------------------------------------------------------------- results

/** Plain function: returns its argument. */
export function plainValue(_ctx: TaskContext, value: unknown): unknown {
  return value;
}

/** Plain function that returns a promise: the task fulfils with what it resolves to. */
export function plainPromise(_ctx: TaskContext, value: unknown): Promise<unknown> {
  return Promise.resolve(value);
}

/** Async function with yield points: `await ctx.yield()` and a plain await. */
export async function asyncValue(ctx: TaskContext, value: unknown): Promise<unknown> {
  await ctx.yield();
  const got = await Promise.resolve(value);
  await ctx.yield();
  return got;
}

/** Generator: bare `yield`, `yield ctx.yield()`, a yielded promise and a yielded foreign thenable. */
export function* generatorValue(ctx: TaskContext, value: unknown): Generator<unknown, unknown, unknown> {
  yield;
  yield ctx.yield();
  const fromPromise = yield Promise.resolve(value);
  const fromThenable = yield thenableOf(fromPromise);
  return fromThenable;
}

/** Generator that spawns a child, joins it and returns the child's result. */
export function* generatorJoinsChild(ctx: TaskContext, value: unknown, byReference: boolean): Generator<unknown, unknown, unknown> {
  const child = spawnChild(ctx, byReference, plainValue, 'plainValue', [value]);
  const result = yield ctx.join(child);
  return result;
}

/** Async function that spawns a child, joins it and returns the child's result. */
export async function asyncJoinsChild(ctx: TaskContext, value: unknown, byReference: boolean): Promise<unknown> {
  const child = spawnChild(ctx, byReference, generatorValue, 'generatorValue', [value]);
  return await ctx.join(child);
}

/** Reports what the body sees of its task. */
export function describeSelf(ctx: TaskContext): { id: number; name: string | null; aborted: boolean } {
  return { id: ctx.taskId, name: ctx.name ?? null, aborted: ctx.signal.aborted };
}

// ---------------------------------------------------------------- errors

/** Plain function that throws a `RangeError`. */
export function plainThrow(_ctx: TaskContext, message: string): never {
  throw new RangeError(message);
}

/** Plain function whose returned promise rejects. */
export function plainRejects(_ctx: TaskContext, message: string): Promise<never> {
  return Promise.reject(new RangeError(message));
}

/** Async function that throws after a yield point. */
export async function asyncThrow(ctx: TaskContext, message: string): Promise<never> {
  await ctx.yield();
  await Promise.resolve();
  throw new RangeError(message);
}

/** Generator that throws after a yield point. */
export function* generatorThrow(ctx: TaskContext, message: string): Generator<unknown, never, unknown> {
  yield;
  yield ctx.yield();
  throw new RangeError(message);
}

/** Generator that yields a rejected promise and does not catch it. */
export function* generatorYieldsRejection(_ctx: TaskContext, message: string): Generator<unknown, string, unknown> {
  yield Promise.reject(new RangeError(message));
  return 'the rejection was not thrown in';
}

/** Generator that catches a rejection thrown in at its yield point. */
export function* generatorCatches(_ctx: TaskContext, message: string): Generator<unknown, string, unknown> {
  try {
    yield Promise.reject(new RangeError(message));
    return 'the rejection was not thrown in';
  } catch (error) {
    return `caught ${messageOf(error)}`;
  }
}

/** Generator that joins a failing child and catches its error. */
export function* generatorCatchesChild(ctx: TaskContext, message: string, byReference: boolean): Generator<unknown, string, unknown> {
  const child = spawnChild(ctx, byReference, generatorThrow, 'generatorThrow', [message]);
  try {
    yield ctx.join(child);
    return 'the child did not fail';
  } catch (error) {
    return `caught ${messageOf(error)}`;
  }
}

/** An error class of the user's own with a field of its own, as an application declares one. */
export class DbError extends Error {
  code = 'E_DB';
}

/** Throws a `DbError` whose `cause` is an `Error` with `causeMessage`. */
export function throwsDbError(_ctx: TaskContext, message: string, causeMessage: string): never {
  throw new DbError(message, { cause: new Error(causeMessage) });
}

/** Throws something that is not an `Error`. */
export function throwsString(_ctx: TaskContext, value: string): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- the point: a non-Error reaches the caller unchanged
  throw value;
}

/** Returns a function, which a referenced task cannot hand back across a boundary. */
export function returnsFunction(): () => number {
  return () => 1;
}

// ---------------------------------------------------------------- invalid yields

/** Generator that yields a number and catches the error thrown in at that yield. */
export function* yieldsNumberAndCatches(): Generator<unknown, string, unknown> {
  try {
    yield 42;
    return 'nothing was thrown in';
  } catch (error) {
    return `caught ${nameAndCode(error)}`;
  }
}

/** Generator that yields a number and does not catch the error. */
export function* yieldsNumber(): Generator<unknown, string, unknown> {
  yield 42;
  return 'nothing was thrown in';
}

// ---------------------------------------------------------------- steering from the test

/** Counts itself as started on the board and returns `ran`. */
export function markRan(_ctx: TaskContext, board: Board): string {
  bump(board, Slot.started);
  return 'ran';
}

/**
 * Counts its start in `log[0]`; and in `log[1]` as well if the test had already seen its
 * task settle (the test sets `log[2 + index]` then): a body that started after its task
 * had settled.
 */
export function recordStart(_ctx: TaskContext, log: Int32Array, index: number): number {
  Atomics.add(log, 0, 1);
  if (Atomics.load(log, 2 + index) !== 0) Atomics.add(log, 1, 1);
  return index;
}

/** Parks until the board releases it; counts its `finally` on the board. */
export function* parkUntilReleased(_ctx: TaskContext, board: Board, value: unknown = 'released'): Generator<unknown, unknown, unknown> {
  try {
    bump(board, Slot.started);
    yield released(board);
    return value;
  } finally {
    bump(board, Slot.cleanup);
  }
}

/** Takes step after step until the board says stop; counts its `finally` on the board. */
export function* spinUntilStopped(_ctx: TaskContext, board: Board): Generator<unknown, string, unknown> {
  try {
    bump(board, Slot.started);
    while (read(board, Slot.stop) === 0) yield;
    return 'stopped';
  } finally {
    bump(board, Slot.cleanup);
  }
}

/** Async body that waits for its signal to abort (or the board's release); counts its `finally`. */
export async function asyncParkUntilAborted(ctx: TaskContext, board: Board): Promise<string> {
  try {
    bump(board, Slot.started);
    const signal = ctx.signal;
    await new Promise<void>((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      signal.addEventListener('abort', () => {
        resolve();
      });
      void released(board).then(resolve);
    });
    return signal.aborted ? 'aborted' : 'released';
  } finally {
    bump(board, Slot.cleanup);
  }
}

/**
 * Async body that takes turns (`await ctx.yield()`) until it is cancelled, then cleans up
 * over a few turns of the event loop before it counts its `finally`: its task must not
 * settle before that cleanup ends, though cancellation took back a turn it had queued.
 */
export async function asyncYieldUntilCancelled(ctx: TaskContext, board: Board): Promise<never> {
  try {
    bump(board, Slot.started);
    for (;;) await ctx.yield();
  } finally {
    for (let turn = 0; turn < 3; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    bump(board, Slot.cleanup);
  }
}

/** Spawns `children` parked children, then joins them all; counts its own `finally`. */
export function* parentOfParkedChildren(ctx: TaskContext, board: Board, children: number, byReference: boolean): Generator<unknown, string, unknown> {
  try {
    const handles = [];
    for (let i = 0; i < children; i++) {
      handles.push(ctx.join(spawnChild(ctx, byReference, parkUntilReleased, 'parkUntilReleased', [board])));
    }
    bump(board, Slot.parentStarted);
    yield Promise.all(handles);
    return 'joined';
  } finally {
    bump(board, Slot.parentCleanup);
  }
}

/** Parks on a promise nothing will ever settle (which holds no handle open). */
export function* parkForever(): Generator<Promise<never>, never, unknown> {
  yield new Promise<never>(() => undefined);
  throw new Error('a promise that never settles settled');
}

/** Sleeps on a real timer, then returns `value`. */
export function* sleepThen(ctx: TaskContext, ms: number, value: unknown): Generator<unknown, unknown, unknown> {
  yield new Promise<void>((resolve) => setTimeout(resolve, ms));
  yield ctx.yield();
  return value;
}

// ---------------------------------------------------------------- ordering

function record(log: Int32Array, who: number): number {
  const at = Atomics.add(log, 0, 1);
  Atomics.store(log, at + 1, who);
  return at;
}

/** Records `who` into a shared step log once per step, for `steps` steps (generator). */
export function* stepLogger(_ctx: TaskContext, log: Int32Array, who: number, steps: number): Generator<undefined, number, unknown> {
  for (let i = 0; i < steps; i++) {
    record(log, who);
    if (i < steps - 1) yield;
  }
  return who;
}

/** Records `who` into a shared step log once per step, for `steps` steps (async, `await ctx.yield()`). */
export async function asyncStepLogger(ctx: TaskContext, log: Int32Array, who: number, steps: number): Promise<number> {
  for (let i = 0; i < steps; i++) {
    record(log, who);
    if (i < steps - 1) await ctx.yield();
  }
  return who;
}

/** Records `who` once and returns (a task of one step); with `threads`, which thread ran it, at the same place. */
export function logOnce(_ctx: TaskContext, log: Int32Array, who: number, threads?: Int32Array): number {
  const at = record(log, who);
  // Thread and process (worker processes all have thread 0), in 31 bits.
  if (threads !== undefined) Atomics.store(threads, at, (threadId % 512) * 4_194_304 + (process.pid % 4_194_304));
  return who;
}

/**
 * Spawns two children of `plainValue`, one with no priority and one with `own - 1`, joins
 * them, and returns their priorities as their handles say.
 */
export function* childPriorities(ctx: TaskContext, own: number): Generator<unknown, [number, number], unknown> {
  // By reference: every executor takes references.
  const inherited = ctx.spawn(taskRef<typeof plainValue>(here, 'plainValue'), [1]);
  const given = ctx.spawn(taskRef<typeof plainValue>(here, 'plainValue'), [2], { priority: own - 1 });
  yield inherited;
  yield given;
  return [inherited.priority, given.priority];
}

// ---------------------------------------------------------------- scale

/** Yields once, then returns `value`. */
export function* oneYield(_ctx: TaskContext, value: number): Generator<undefined, number, unknown> {
  yield;
  return value;
}

/** Takes `steps` steps (bare yields) and returns how many it took. */
export function* countSteps(_ctx: TaskContext, steps: number): Generator<undefined, number, unknown> {
  let taken = 0;
  while (taken < steps) {
    taken++;
    yield;
  }
  return taken;
}

/** An async body that awaits `ctx.yield()` `turns` times. */
export async function asyncCountTurns(ctx: TaskContext, turns: number): Promise<number> {
  let taken = 0;
  while (taken < turns) {
    await ctx.yield();
    taken++;
  }
  return taken;
}

/** Takes `steps` steps, each waiting on an already settled promise. */
export function* countWaits(_ctx: TaskContext, steps: number): Generator<Promise<number>, number, unknown> {
  let taken = 0;
  while (taken < steps) {
    taken = (yield Promise.resolve(taken + 1)) as number;
  }
  return taken;
}

/** Takes `steps` steps and samples the heap after a tenth of them and at the end. */
export function* heapOverSteps(
  _ctx: TaskContext,
  steps: number,
): Generator<undefined, { early: number; late: number; steps: number; collected: boolean }, unknown> {
  const sampleAt = Math.floor(steps / 10);
  let early = 0;
  let taken = 0;
  while (taken < steps) {
    if (taken === sampleAt) early = heapAfterCollection();
    taken++;
    yield;
  }
  return { early, late: heapAfterCollection(), steps: taken, collected: canCollectGarbage() };
}

/** Spawns `count` children that each return their index, joins them all and returns the sum. */
export function* sumOfChildren(ctx: TaskContext, count: number, byReference: boolean): Generator<unknown, number, unknown> {
    const handles = [];
  for (let i = 0; i < count; i++) handles.push(ctx.join(spawnChild(ctx, byReference, oneYield, 'oneYield', [i])));
  const values = (yield Promise.all(handles)) as number[];
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

/** A chain: each task spawns the next and joins it; the innermost returns 0. Returns the depth. */
export function* nestedJoin(ctx: TaskContext, depth: number, byReference: boolean): Generator<unknown, number, unknown> {
  if (depth === 0) return 0;
  const inner = (yield ctx.join(spawnChild(ctx, byReference, nestedJoin, 'nestedJoin', [depth - 1, byReference]))) as number;
  return inner + 1;
}

// ---------------------------------------------------------------- fork–join

/** Recursive Fibonacci, every call a child task: spawn two, join both. */
export function* fib(ctx: TaskContext, n: number, byReference: boolean): Generator<unknown, number, unknown> {
  if (n < 2) return n;
  const a = spawnChild(ctx, byReference, fib, 'fib', [n - 1, byReference]);
  const b = spawnChild(ctx, byReference, fib, 'fib', [n - 2, byReference]);
  const left = (yield ctx.join(a)) as number;
  const right = (yield ctx.join(b)) as number;
  return left + right;
}

/** The same Fibonacci as an async function. */
export async function asyncFib(ctx: TaskContext, n: number, byReference: boolean): Promise<number> {
  if (n < 2) return n;
  const a = spawnChild(ctx, byReference, asyncFib, 'asyncFib', [n - 1, byReference]);
  const b = spawnChild(ctx, byReference, asyncFib, 'asyncFib', [n - 2, byReference]);
  const [left, right] = await Promise.all([ctx.join(a), ctx.join(b)]);
  return left + right;
}

// ---------------------------------------------------------------- bad input from inside

/** Tries to spawn a number as a child and reports the error it got. */
export function spawnsBadChild(ctx: TaskContext): string {
  try {
    (ctx.spawn as (body: unknown) => unknown)(42);
    return 'nothing was thrown';
  } catch (error) {
    return `caught ${nameAndCode(error)}`;
  }
}

// ---------------------------------------------------------------- a worker that dies

/** Ends its worker the first time it runs (see `endWorkerOnce`); a later run returns. */
export function crashWorkerOnce(_ctx: TaskContext, marker: string, testThread: string): string {
  endWorkerOnce(marker, testThread);
  return 'ran again after its worker died';
}

/** Spawns `children` children (by reference; each returns its index), then ends its worker the first time it runs; a later run returns their sum. */
export function* crashAfterSpawning(ctx: TaskContext, children: number, marker: string, testThread: string): Generator<unknown, number, unknown> {
  const handles = [];
  for (let i = 0; i < children; i++) handles.push(ctx.join(spawnChild(ctx, true, plainValue, 'plainValue', [i])));
  endWorkerOnce(marker, testThread);
  const values = (yield Promise.all(handles)) as number[];
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}
