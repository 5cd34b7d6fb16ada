// Loads Spindle's ES module executors (round-robin, trampoline, pool: each imports the ES
// module build of core) and the CommonJS build of core (through `createRequire`, with the
// CommonJS round-robin, as a CommonJS dependency would bring it) into this one process.
// Runs tasks on all of them and prints what it saw as one JSON line (the last line) for
// two-builds.test.ts to judge. Run against the built packages.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esmCore from '@spindle/core';
import * as esmEvents from '@spindle/core/events';
import { PoolExecutor } from '@spindle/pool';
import { RoundRobinExecutor } from '@spindle/round-robin';
import { TrampolineExecutor } from '@spindle/trampoline';
import * as tasks from './two-builds-tasks.mjs';

const require = createRequire(import.meta.url);
const cjsCore = require('@spindle/core');
const cjsEvents = require('@spindle/core/events');
const { RoundRobinExecutor: CjsRoundRobinExecutor } = require('@spindle/round-robin');

const builds = { esm: { core: esmCore, events: esmEvents }, cjs: { core: cjsCore, events: cjsEvents } };
const tasksModule = new URL('./two-builds-tasks.mjs', import.meta.url).href;

/**
 * How `origin` is given a body: the ES module executors by task reference; the CommonJS
 * round-robin as a closure, because the CommonJS build of core cannot load a task
 * reference (its loader calls require() on the module URL; see the README).
 */
function body(origin, name) {
  return origin.startsWith('cjs') ? tasks[name] : esmCore.taskRef(tasksModule, name);
}

/** Arguments of `name`'s task on `origin`: fib spawns its children the way it was spawned. */
function argsOf(origin, name, args) {
  return name === 'fib' ? [...args, !origin.startsWith('cjs')] : args;
}

function spawnOn(origin, executor, name, args) {
  return executor.spawn(body(origin, name), argsOf(origin, name, args));
}

/** The executors, by where they come from; `label` makes each one's events its own. */
function makeExecutors(label) {
  return {
    'esm round-robin': new RoundRobinExecutor({ label: `esm-round-robin-${label}` }),
    'esm trampoline': new TrampolineExecutor({ label: `esm-trampoline-${label}` }),
    'esm pool': new PoolExecutor({ threads: 2, label: `esm-pool-${label}` }),
    'cjs round-robin': new CjsRoundRobinExecutor({ label: `cjs-round-robin-${label}` }),
  };
}

async function closeAll(executors) {
  await Promise.all(Object.values(executors).map((executor) => executor.close()));
}

/** Each error class of both builds, asked about `error`. */
function identity(error) {
  const answers = {};
  for (const [build, { core }] of Object.entries(builds)) {
    for (const name of ['SpindleError', 'TaskCancelledError', 'InvalidTaskError', 'ExecutorClosedError']) {
      answers[`${build} ${name}`] = error instanceof core[name];
    }
  }
  return { name: error?.name, answers };
}

/** The three errors an executor makes itself: a cancellation, a refused body, a spawn after close. */
async function errorsMadeBy(origin, executor) {
  const parked = spawnOn(origin, executor, 'parkForever', []);
  parked.cancel(new Error('enough'));
  const cancelled = await parked.then(
    () => undefined,
    (error) => error,
  );
  let invalid;
  try {
    executor.spawn(42);
  } catch (error) {
    invalid = error;
  }
  await executor.close();
  let closed;
  try {
    spawnOn(origin, executor, 'value', [1]);
  } catch (error) {
    closed = error;
  }
  return { TaskCancelledError: identity(cancelled), InvalidTaskError: identity(invalid), ExecutorClosedError: identity(closed) };
}

async function errorIdentity() {
  const executors = makeExecutors('errors');
  const made = {};
  for (const [origin, executor] of Object.entries(executors)) made[origin] = await errorsMadeBy(origin, executor);
  return made;
}

/** Spawns tasks on every executor in turn, and reports the ids the handles got. */
async function taskIds() {
  const executors = Object.entries(makeExecutors('ids'));
  const ids = [];
  const handles = [];
  for (let i = 0; i < 400; i++) {
    const [origin, executor] = executors[i % executors.length];
    const handle = spawnOn(origin, executor, 'fib', [3]);
    ids.push({ origin, id: handle.id });
    handles.push(handle);
  }
  const values = await Promise.all(handles);
  await closeAll(Object.fromEntries(executors));
  return { ids, allTwo: values.every((v) => v === 2) };
}

/** Waits for the task before it in the relay, then passes its value on, plus one. */
function* passOn(_ctx, previous) {
  return (yield previous) + 1;
}

/**
 * Tasks that wait for each other in a chain, alternately on an executor of each build: each
 * wakes when the one before it, on the other build's executor, has settled.
 */
function relayAcross(esmExecutor, cjsExecutor, hops) {
  const chain = [esmExecutor.spawn(passOn, [Promise.resolve(0)])];
  for (let i = 1; i < hops; i++) {
    const executor = i % 2 === 1 ? cjsExecutor : esmExecutor;
    chain.push(executor.spawn(passOn, [chain[i - 1]]));
  }
  return chain;
}

/**
 * A stream subscriber of one build while every executor runs a mixed workload; with
 * `clock` 'coarse' the other build holds the coarse event clock. Returns the events in the
 * order they arrived and the ids of the root tasks spawned.
 */
async function streamPhase(subscriberBuild, clock) {
  const { events } = builds[subscriberBuild];
  const other = builds[subscriberBuild === 'esm' ? 'cjs' : 'esm'].events;
  const seen = [];
  const keep = (event) => {
    seen.push({ executor: event.executor, kind: event.kind, taskId: event.taskId, thread: event.thread, time: event.time, reason: event.reason, state: event.state });
  };
  const release = clock === 'coarse' ? other.holdEventClock('coarse') : () => undefined;
  const unsubscribe = events.subscribeTaskEventStream({
    onBatch: (batch) => events.forEachTaskEvent(batch, keep),
    onEvent: keep,
  });
  const executors = makeExecutors(`${subscriberBuild}-${clock}`);
  const roots = [];
  const handles = [];
  for (const [origin, executor] of Object.entries(executors)) {
    for (const [name, args] of [
      ['fib', [7]],
      ['steps', [5]],
      ['awaits', [3]],
      ['value', ['v']],
      ['steps', [3]],
      ['awaits', [2]],
    ]) {
      const handle = spawnOn(origin, executor, name, args);
      roots.push({ executor: executor.label, id: handle.id });
      handles.push(handle);
    }
  }
  const relay = relayAcross(executors['esm round-robin'], executors['cjs round-robin'], 20);
  await Promise.all([...handles, ...relay]);
  await closeAll(executors);
  unsubscribe();
  release();
  return {
    subscriber: subscriberBuild,
    clock,
    events: seen,
    roots,
    relay: relay.map((handle) => handle.id),
    labels: Object.values(executors).map((executor) => executor.label),
  };
}

const report = {
  loaded: {
    esm: fileURLToPath(import.meta.resolve('@spindle/core')),
    cjs: require.resolve('@spindle/core'),
    twoCopies: esmCore.TaskCancelledError !== cjsCore.TaskCancelledError,
  },
  errors: await errorIdentity(),
  ids: await taskIds(),
  streams: [],
};
for (const subscriber of ['esm', 'cjs']) {
  for (const clock of ['precise', 'coarse']) report.streams.push(await streamPhase(subscriber, clock));
}
console.log(JSON.stringify(report));
