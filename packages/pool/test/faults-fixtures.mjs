// Task bodies for the pool's fault-injection tests (plain JavaScript, loaded in the workers).
import { TaskCancelledError, taskRef } from '@spindle/core';

const here = import.meta.url;

function busy(n) {
  let x = 0;
  for (let i = 0; i < n; i++) x = (x + i) | 0;
  return x;
}

/** Where plain tasks report each run (arguments holding shared memory would pin a task to one worker). */
export const runsChannel = 'spindle-pool-faults-runs';
let channel;

/** Synchronous, plain arguments (stealable): reports its run on `runsChannel`, returns i. */
export function reported(_ctx, i) {
  if (channel === undefined) {
    channel = new BroadcastChannel(runsChannel);
    channel.unref();
  }
  channel.postMessage(i);
  busy(20_000);
  return i;
}

/** As `reported`, with shared memory among its arguments: it travels by message, pinned to one worker. */
export function pinned(ctx, i, shared) {
  Atomics.add(new Int32Array(shared), 0, 1);
  return reported(ctx, i);
}

/** Kills its worker: `exit` calls process.exit(9), `throw` throws outside any task. */
export function* die(_ctx, how) {
  if (how === 'exit') process.exit(9);
  setTimeout(() => {
    throw new Error('thrown outside any task');
  }, 0);
  yield new Promise(() => undefined);
}

/** Allocates until the worker runs out of memory (run it under resourceLimits). */
export function oom() {
  const hoard = [];
  for (;;) hoard.push(new Array(1 << 16).fill(hoard.length));
}

/**
 * Spawns `n` reported children onto this worker's deque (idle workers steal them) and joins
 * them (joined at spawn, so a failure reaches this body at its join); child `dieAt` kills whichever worker runs it instead, typically a thief that has
 * just stolen a batch.
 */
export function* forkAndDie(ctx, base, n, dieAt) {
  const children = [];
  for (let i = 0; i < n; i++) {
    const child = i === dieAt ? ctx.spawn(taskRef(here, 'die'), ['exit']) : ctx.spawn(taskRef(here, 'reported'), [base + i]);
    children.push(ctx.join(child));
  }
  let sum = 0;
  for (const child of children) sum += yield ctx.join(child);
  return sum;
}

/** Reports that it started, then loops forever in one synchronous step: only terminating its worker stops it. */
export function spin(_ctx, i) {
  reported(_ctx, i);
  for (;;) busy(1_000);
}

/** Spawns a `spin` child (reporting `i`) and joins it. */
export function* spinChild(ctx, i) {
  return yield ctx.join(ctx.spawn(taskRef(here, 'spin'), [i]));
}

/** One synchronous step that keeps its thread for `ms` milliseconds, then returns `ms`. */
export function longStep(_ctx, ms) {
  const start = performance.now();
  while (performance.now() - start < ms) busy(1_000);
  return ms;
}

/** Holds its worker until `word[0]` is non-zero (it counts itself in `word[1]` first), then returns 'held'. */
export function hold(_ctx, word) {
  const view = new Int32Array(word);
  Atomics.add(view, 1, 1);
  Atomics.notify(view, 1);
  Atomics.wait(view, 0, 0);
  return 'held';
}

/**
 * Spawns `n` reported children (ids from `base`) onto this worker's deque and cancels them
 * in the same step; joins each and returns how many were cancelled. Run it on a pool of one
 * worker, so that no other worker can take a child before it is cancelled.
 */
export function* cancelQueuedChildren(ctx, base, n) {
  const children = [];
  for (let i = 0; i < n; i++) children.push(ctx.spawn(taskRef(here, 'reported'), [base + i]));
  for (const child of children) child.cancel('not needed');
  let cancelled = 0;
  for (const child of children) {
    try {
      yield ctx.join(child);
    } catch (error) {
      if (!(error instanceof TaskCancelledError)) throw error;
      cancelled++;
    }
  }
  return cancelled;
}
