// Task bodies for the pool's priority and timing tests (plain JavaScript, loaded by reference). State
// here is per worker thread: `installGate` and `installCounts` are posted to each worker
// (they carry shared memory, so they run where they are posted) before the tasks that use it.
import { threadId } from 'node:worker_threads';
import { taskRef } from '@spindle/core';

const here = import.meta.url;

/** [0]: 0 while the gate is closed; [1]: workers holding at the gate. */
let gate;
/** Runs per task id, for the exactly-once checks. */
let counts;
/** Tasks started on this worker so far. */
let started = 0;

/** Keeps the main thread's gate memory in this worker; returns the worker's thread id. */
export function installGate(_ctx, memory) {
  gate = new Int32Array(memory);
  return threadId;
}

/** Keeps the main thread's run counters in this worker; returns the worker's thread id. */
export function installCounts(_ctx, memory) {
  counts = new Int32Array(memory);
  return threadId;
}

/** Its place in the order tasks start on this worker (1, 2, …). */
export function order() {
  return ++started;
}

/**
 * Holds its worker inside one synchronous step until the main thread opens the gate (after
 * saying it is there), so that tasks queue up behind it; then its place in the start order.
 */
export function hold() {
  const place = ++started;
  Atomics.add(gate, 1, 1);
  Atomics.notify(gate, 1);
  Atomics.wait(gate, 0, 0);
  return place;
}

/** Spawns `n` `order` children and then a `hold` one (none given a priority), joins them; their places and priorities. */
export function* fanOut(ctx, n) {
  const children = [];
  for (let i = 0; i < n; i++) children.push(ctx.spawn(taskRef(here, 'order'), []));
  children.push(ctx.spawn(taskRef(here, 'hold'), []));
  const places = [];
  for (const child of children) places.push(yield ctx.join(child));
  return { places, priorities: children.map((child) => child.priority) };
}

/** The priority of a child spawned without one, and of one given `given`. */
export function* childPriorities(ctx, given) {
  const inherited = ctx.spawn(taskRef(here, 'grandchildPriority'), []);
  const explicit = ctx.spawn(taskRef(here, 'grandchildPriority'), [], { priority: given });
  return [inherited.priority, yield ctx.join(inherited), explicit.priority, yield ctx.join(explicit)];
}

/** The priority a child of this task gets when spawned without one (what it inherits from this task). */
export function* grandchildPriority(ctx) {
  const child = ctx.spawn(taskRef(here, 'order'), []);
  yield ctx.join(child);
  return child.priority;
}

/** Counts a run of task `id` and works ~`micros` µs; returns `id`. */
export function count(_ctx, id, micros) {
  if (counts === undefined) throw new Error(`worker ${threadId} has no run counters`);
  Atomics.add(counts, id, 1);
  const until = performance.now() + micros / 1000;
  while (performance.now() < until);
  return id;
}

/**
 * Counts its own run as task `id`, then spawns `n` `count` children with ids after it (every
 * third with a priority of its own, the rest inherit), joins them, and returns the sum of ids.
 */
export function* fan(ctx, id, n, micros) {
  count(ctx, id, 0);
  const children = [];
  for (let i = 1; i <= n; i++) {
    const options = i % 3 === 0 ? { priority: (i % 7) - 3 } : undefined;
    children.push(ctx.spawn(taskRef(here, 'count'), [id + i, micros], options));
  }
  let sum = id;
  for (const child of children) sum += yield ctx.join(child);
  return sum;
}

/** Works for at least `ms` ms of this thread's clock; returns `ms`. */
export function busy(_ctx, ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
  return ms;
}

/** Throws at once. */
export function fails() {
  throw new Error('fails on purpose');
}
