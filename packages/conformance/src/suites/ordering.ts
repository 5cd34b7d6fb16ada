import { describe, expect } from 'vitest';
import type { Executor, StateMachine, TaskContext, TaskHandle } from '@spindle/core';
import type { BodyMode, Suite } from '../harness.js';
import { valueOf } from '../outcome.js';
import { readStepLog, roundRobinProblems, startOrderProblems, stepCountProblems } from '../step-log.js';

type LoggerKind = 'generator' | 'async' | 'state-machine';

function record(log: Int32Array, who: number): void {
  const at = Atomics.add(log, 0, 1);
  Atomics.store(log, at + 1, who);
}

/** The state-machine step logger (closures only: a machine cannot be referenced). */
class MachineLogger implements StateMachine<number> {
  readonly result: number;
  private readonly log: Int32Array;
  private left: number;

  constructor(log: Int32Array, who: number, steps: number) {
    this.log = log;
    this.result = who;
    this.left = steps;
  }

  next(ctx: TaskContext): boolean | PromiseLike<unknown> {
    record(this.log, this.result);
    this.left--;
    // Alternate the two ways a machine says "step me again".
    return this.left === 0 ? true : this.left % 2 === 0 ? false : ctx.yield();
  }
}

/** Referenced bodies load on their first step; load each once so that loading does not reorder starts. */
async function warmUp(suite: Suite, ex: Executor, mode: BodyMode): Promise<void> {
  if (mode !== 'reference') return;
  const log = suite.stepLog(8);
  await Promise.all([
    suite.spawn(ex, mode, 'stepLogger', [log, 0, 1]),
    suite.spawn(ex, mode, 'asyncStepLogger', [log, 0, 1]),
    suite.spawn(ex, mode, 'logOnce', [log, 0]),
  ]);
}

function spawnLogger(suite: Suite, ex: Executor, mode: BodyMode, kind: LoggerKind, log: Int32Array, who: number, steps: number): TaskHandle<unknown> {
  switch (kind) {
    case 'generator':
      return suite.spawn(ex, mode, 'stepLogger', [log, who, steps]);
    case 'async':
      return suite.spawn(ex, mode, 'asyncStepLogger', [log, who, steps]);
    case 'state-machine':
      return ex.spawn(new MachineLogger(log, who, steps));
  }
}

function describeStartOrder(suite: Suite, mode: BodyMode): void {
  suite.test('tasks start in spawn order, whatever their body kind', async () => {
    const ex = suite.executor();
    await warmUp(suite, ex, mode);
    const count = 60;
    const log = suite.stepLog(count * 3);
    const kinds: LoggerKind[] = mode === 'closure' ? ['generator', 'async', 'state-machine'] : ['generator', 'async'];
    const handles = Array.from({ length: count }, (_, who) =>
      who % 4 === 3 ? suite.spawn(ex, mode, 'logOnce', [log, who]) : spawnLogger(suite, ex, mode, kinds[who % kinds.length] ?? 'generator', log, who, 3),
    );
    await Promise.all(handles.map((handle) => valueOf(handle)));
    expect(startOrderProblems(readStepLog(log))).toEqual([]);
  });
}

function describeRoundRobin(suite: Suite, mode: BodyMode): void {
  const kinds: LoggerKind[] = mode === 'closure' ? ['generator', 'async', 'state-machine'] : ['generator', 'async'];
  for (const kind of [...kinds, 'mixed' as const]) {
    suite.test(`with K ready tasks (${kind} bodies), none waits more than K-1 steps of others`, async () => {
      const ex = suite.executor();
      await warmUp(suite, ex, mode);
      // Different lengths, so tasks finish at different times and K shrinks as they do.
      const steps = [40, 25, 60, 33, 47, 12, 55, 40];
      const total = steps.reduce((a, b) => a + b, 0);
      const log = suite.stepLog(total);
      const handles = steps.map((count, who) => spawnLogger(suite, ex, mode, kind === 'mixed' ? (kinds[who % kinds.length] ?? 'generator') : kind, log, who, count));
      await Promise.all(handles.map((handle) => valueOf(handle)));
      const entries = readStepLog(log);
      expect(stepCountProblems(entries, steps)).toEqual([]);
      expect(startOrderProblems(entries)).toEqual([]);
      expect(roundRobinProblems(entries, steps.length)).toEqual([]);
    });
  }

  suite.test('a task spawned while others run joins the back of the queue and starts within one round', async () => {
    const ex = suite.executor();
    await warmUp(suite, ex, mode);
    const steps = [30, 30, 30, 30];
    const log = suite.stepLog(steps.reduce((a, b) => a + b, 0) + 30);
    const first = steps.map((count, who) => suite.spawn(ex, mode, 'stepLogger', [log, who, count]));
    // Let the first tasks take a few rounds (an unlogged task runs beside them), then add a fifth.
    await valueOf(suite.spawn(ex, mode, 'countSteps', [10]));
    const loggedBefore = Atomics.load(log, 0);
    const late = suite.spawn(ex, mode, 'stepLogger', [log, steps.length, 30]);
    await Promise.all([...first, late].map((handle) => valueOf(handle)));
    const entries = readStepLog(log);
    expect(stepCountProblems(entries, [...steps, 30])).toEqual([]);
    const lateStart = entries.indexOf(steps.length);
    expect(lateStart - loggedBefore, 'steps of others before the late task first ran').toBeLessThanOrEqual(steps.length);
    expect(roundRobinProblems(entries, steps.length + 1)).toEqual([]);
  });
}

/** The ordering the executor declares: start order for `fifo` and `round-robin`, per-step fairness for `round-robin`. */
export function describeOrdering(suite: Suite): void {
  const ordering = suite.capabilities.ordering;
  if (ordering === 'none') return;
  describe(`ordering: ${ordering}`, () => {
    for (const mode of suite.modes) {
      describe(mode === 'closure' ? 'closures' : 'task references', () => {
        describeStartOrder(suite, mode);
        if (ordering === 'round-robin') describeRoundRobin(suite, mode);
      });
    }
  });
}
