// Task bodies for the package's own tests, loaded by reference in worker processes.
import { taskRef } from '@spindle/core';

export function add(_ctx, a, b) {
  return a + b;
}

export function* fib(ctx, n) {
  if (n < 2) return n;
  const a = ctx.spawn(fibRef, [n - 1]);
  const b = ctx.spawn(fibRef, [n - 2]);
  return (yield a) + (yield b);
}
export const fibRef = taskRef(import.meta.url, 'fib');

export function fails(_ctx, message) {
  const error = new TypeError(message);
  error.name = 'TypeError';
  throw error;
}

export async function sleepy(ctx, ms) {
  await new Promise((resolve, reject) => {
    if (ctx.signal.aborted) {
      reject(ctx.signal.reason);
      return;
    }
    const timer = setTimeout(resolve, ms);
    ctx.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(ctx.signal.reason);
    });
  });
  return ms;
}

/** Busy for about `ms` of CPU, then returns its id: a task a killed worker may be in the middle of. */
export function busy(_ctx, id, ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
  return id;
}

export function whereAmI() {
  return process.pid;
}

export class ParseError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ParseError';
  }
}

export function failsCustom(_ctx, message) {
  throw new ParseError(message);
}

/** An error class of the user's own with a field, as a new user would write one. */
export class DbError extends Error {
  code = 'E_DB';
}

export function failsWithDbError(_ctx, message) {
  throw new DbError(message, { cause: new RangeError('connection reset') });
}

/** Counts its runs in Redis (`key`), fails until run `succeedOn`, then returns the count. */
export async function flaky(_ctx, url, key, succeedOn) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url);
  try {
    const runs = await redis.incr(key);
    if (runs < succeedOn) throw new RangeError(`run ${runs} fails`);
    return runs;
  } finally {
    redis.disconnect();
  }
}

/** Counts its runs in Redis (and says it started on the list `<key>:started`), then waits for `ms` or until cancelled (it then rejects with its signal's reason). */
export async function countedSleep(ctx, url, key, ms) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url);
  try {
    await redis.incr(key);
    await redis.rpush(`${key}:started`, String(process.pid));
  } finally {
    redis.disconnect();
  }
  return sleepy(ctx, ms);
}

/** Counts its runs in Redis (and says it started on `<key>:started`), then waits until cancelled and returns quietly, saying what its signal said. */
export async function countedWaitForAbort(ctx, url, key) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url);
  try {
    await redis.incr(key);
    await redis.rpush(`${key}:started`, String(process.pid));
    // The cancellation may have come already, while the line above was in flight.
    await new Promise((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', resolve);
    });
    await redis.set(`${key}:reason`, String(ctx.signal.reason?.message ?? ctx.signal.reason));
  } finally {
    redis.disconnect();
  }
  return 'cleaned up';
}

/**
 * Tells the test (over the worker process's IPC channel) which process started it, then
 * keeps the CPU busy for `ms`: a task a killed worker is certainly in the middle of.
 */
export async function announced(_ctx, id, ms) {
  await new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send({ started: id, pid: process.pid }, () => resolve());
  });
  const until = performance.now() + ms;
  while (performance.now() < until);
  return id;
}

/** Joins one child (`childWaitsForGo`) and returns what it returned. */
export function* parentOfOne(ctx, url, key) {
  return yield ctx.spawn(childWaitsForGoRef, [url, key]);
}

/** Says it runs (on `<key>:child`), waits for the test's go (on `<key>:go`), returns 42. */
export async function childWaitsForGo(_ctx, url, key) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url);
  try {
    await redis.rpush(`${key}:child`, String(process.pid));
    await redis.blpop(`${key}:go`, 0);
  } finally {
    redis.disconnect();
  }
  return 42;
}
const childWaitsForGoRef = taskRef(import.meta.url, 'childWaitsForGo');

/** A chain: each task spawns the next and joins it; the last returns 0, each adds 1. */
export function* chain(ctx, depth) {
  if (depth === 0) return 0;
  return 1 + (yield ctx.spawn(chainRef, [depth - 1]));
}
const chainRef = taskRef(import.meta.url, 'chain');

/** The same chain with async bodies, which continue in microtasks rather than steps. */
export async function asyncChain(ctx, depth) {
  if (depth === 0) return 0;
  return 1 + (await ctx.spawn(asyncChainRef, [depth - 1]));
}
const asyncChainRef = taskRef(import.meta.url, 'asyncChain');

/** Returns what it was given (arguments and results of every kind, for the kept-job tests). */
export function echo(_ctx, value) {
  return value;
}

/** Fails with a RangeError saying `message`, counting its runs in Redis (`key`). */
export async function countedFail(_ctx, url, key, message) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url);
  try {
    await redis.incr(key);
  } finally {
    redis.disconnect();
  }
  throw new RangeError(message);
}

/** Counts its runs in Redis (`key`) and returns `value`. */
export async function countedValue(_ctx, url, key, value) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url);
  try {
    await redis.incr(key);
  } finally {
    redis.disconnect();
  }
  return value;
}

/** Counts its runs (`key`), says it started (on `<key>:started`), waits for the test's go (on `<key>:go`), then returns `done after <runs> run(s)`. */
export async function countedWaitForGo(_ctx, url, key) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url);
  try {
    const runs = await redis.incr(key);
    await redis.rpush(`${key}:started`, String(process.pid));
    await redis.blpop(`${key}:go`, 0);
    return `done after ${runs} run(s)`;
  } finally {
    redis.disconnect();
  }
}

let started = 0;
/** Returns how many tasks of this module started before it in this process, and its label: the order a worker started them in. */
export function startOrder(_ctx, label) {
  return [++started, label];
}

/** Spawns a child with `options` (a job id, say) and joins it. */
export function* spawnsWith(ctx, options) {
  return yield ctx.spawn(startOrderRef, ['child'], options);
}
const startOrderRef = taskRef(import.meta.url, 'startOrder');

/** Joins a `flaky` child spawned with `options`; returns its value, or the message it failed with. */
export function* joinsFlakyChild(ctx, url, key, succeedOn, options) {
  try {
    return { value: yield ctx.spawn(flakyRef, [url, key, succeedOn], options) };
  } catch (error) {
    return { error: error.message };
  }
}
const flakyRef = taskRef(import.meta.url, 'flaky');
