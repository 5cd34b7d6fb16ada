import type { TaskHandle } from '@spindle/core';
import { RoundRobinExecutor } from '@spindle/round-robin';
import type { BenchCase, Subject, Suite } from '../suite.js';
import { spindleSubject } from '../suite.js';
import { nativeAll, nativeAwaiting, nativeYielding, roundRobinGenerators, roundRobinLoop, roundRobinLoopInContext } from '../workloads/baselines.js';
import { awaitingAsync, awaitingGenerator, yieldingAsync, yieldingGenerator } from '../workloads/bodies.js';
import { AwaitingCountdown, Countdown, machines } from '../workloads/state-machines.js';
import { spindleAll } from '../workloads/spindle.js';

/** Tasks per run. */
const TASKS = 100;
/** Steps per task. */
const STEPS = 100;

const roundRobin = spindleSubject('@spindle/round-robin');

/**
 * A round-robin subject: one executor for the whole case (as an application would keep
 * one), `TASKS` tasks spawned per run.
 */
function onRoundRobin(runs: string, spawnOne: (executor: RoundRobinExecutor) => TaskHandle<number>): Subject {
  let executor: RoundRobinExecutor | undefined;
  return {
    subject: roundRobin,
    runs,
    run: () => {
      const ex = (executor ??= new RoundRobinExecutor({ label: `bench:${runs}` }));
      return spindleAll(TASKS, () => spawnOne(ex));
    },
    dispose: () => executor?.close(),
  };
}

function buildCases(): BenchCase[] {
  const resolved = Promise.resolve();
  const common = { opsPerRun: TASKS * STEPS, op: 'step', expected: TASKS * STEPS } as const;
  return [
    {
      ...common,
      name: 'yield/state-machine',
      description: `${TASKS} state machines × ${STEPS} steps, next() returns false until done`,
      baseline: 'hand-written',
      subjects: [
        {
          subject: 'hand-written',
          runs: 'FIFO ring buffer calling next() on the same machines',
          run: () => roundRobinLoop(machines(TASKS, () => new Countdown(STEPS))),
        },
        {
          // The floor the contract sets: every step in its task's own async context.
          subject: 'hand-written-in-context',
          runs: 'the same ring, each step in its machine’s own AsyncResource (runInAsyncScope)',
          run: () => roundRobinLoopInContext(machines(TASKS, () => new Countdown(STEPS))),
        },
        onRoundRobin('spawn(machine)', (ex) => ex.spawn(new Countdown(STEPS))),
      ],
    },
    {
      ...common,
      name: 'yield/generator',
      description: `${TASKS} generators × ${STEPS} steps, bare \`yield\` between steps`,
      baseline: 'hand-written',
      subjects: [
        {
          subject: 'hand-written',
          runs: 'FIFO ring buffer calling gen.next() on the same generators',
          run: () => roundRobinGenerators(machines(TASKS, () => nativeGenerator(STEPS))),
        },
        onRoundRobin('spawn(function*)', (ex) => ex.spawn(yieldingGenerator, [STEPS])),
      ],
    },
    {
      ...common,
      name: 'yield/async',
      description: `${TASKS} async functions × ${STEPS} steps, yielding between steps`,
      baseline: 'native',
      subjects: [
        { subject: 'native', runs: 'async fn, `await undefined`', run: () => nativeAll(TASKS, () => nativeYielding(STEPS)) },
        onRoundRobin('spawn(async fn), `await ctx.yield()`', (ex) => ex.spawn(yieldingAsync, [STEPS])),
      ],
    },
    {
      ...common,
      name: 'await/state-machine',
      description: `${TASKS} tasks × ${STEPS} steps, waiting on an already-resolved promise between steps`,
      baseline: 'native',
      subjects: [
        { subject: 'native', runs: 'async fn, `await resolved`', run: () => nativeAll(TASKS, () => nativeAwaiting(STEPS, resolved)) },
        onRoundRobin('spawn(machine), next() returns resolved', (ex) => ex.spawn(new AwaitingCountdown(STEPS, resolved))),
      ],
    },
    {
      ...common,
      name: 'await/generator',
      description: `${TASKS} tasks × ${STEPS} steps, waiting on an already-resolved promise between steps`,
      baseline: 'native',
      subjects: [
        { subject: 'native', runs: 'async fn, `await resolved`', run: () => nativeAll(TASKS, () => nativeAwaiting(STEPS, resolved)) },
        onRoundRobin('spawn(function*), `yield resolved`', (ex) => ex.spawn(awaitingGenerator, [STEPS, resolved])),
      ],
    },
    {
      ...common,
      name: 'await/async',
      description: `${TASKS} tasks × ${STEPS} steps, waiting on an already-resolved promise between steps`,
      baseline: 'native',
      subjects: [
        { subject: 'native', runs: 'async fn, `await resolved`', run: () => nativeAll(TASKS, () => nativeAwaiting(STEPS, resolved)) },
        onRoundRobin('spawn(async fn), `await resolved`', (ex) => ex.spawn(awaitingAsync, [STEPS, resolved])),
      ],
    },
  ];
}

/** A plain generator of `steps` steps for the hand-written loop (no task context). */
function* nativeGenerator(steps: number): Generator<undefined, number> {
  for (let i = 1; i < steps; i++) yield;
  return steps;
}

/**
 * The cost of one step on the round-robin executor, against a hand-written FIFO loop
 * over the same bodies and against native async/await doing the same awaits.
 */
export const roundRobinStep: Suite = {
  name: 'round-robin-step',
  description: `cost per step: @spindle/round-robin vs a hand-written loop and native async/await (${TASKS} tasks × ${STEPS} steps per run)`,
  packages: ['@spindle/core', '@spindle/round-robin'],
  cases: () => buildCases(),
};
