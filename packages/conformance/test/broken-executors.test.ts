import { beforeAll, describe, expect, it } from 'vitest';
import type { BrokenExecutorName } from './executors/broken-executors.js';
import { runVitest } from './run-vitest.js';
import type { ChildRun } from './run-vitest.js';

/**
 * For each broken executor: fragments of titles of tests that must fail, and of tests
 * that must still pass (so the failures are the breakage showing, not the suite falling
 * over).
 */
const expectations: Record<BrokenExecutorName, { readonly fail: readonly string[]; readonly pass: readonly string[] }> = {
  // First: its run is the longest (its hanging tests fail by timeout).
  'ignores-cancellation': {
    fail: [
      'an already aborted signal: the task is cancelled with the signal reason and the body never runs',
      'cancel() before the task starts',
      'cancel() of a task parked at a yield point',
      'cancel() of a parent cancels its running children',
      'cancel mode cancels every unsettled task',
    ],
    pass: ['a plain function that throws rejects the handle', 'none waits more than K-1 steps', 'Promise.all, allSettled and race accept handles'],
  },
  'swallows-errors': {
    fail: [
      'a plain function that throws rejects the handle with its error',
      'an async function that throws after yield points rejects the handle',
      'a generator that throws after yield points rejects the handle',
      'a thrown non-Error value reaches the caller unchanged',
      'a state machine whose next() throws rejects the handle',
    ],
    pass: ['a plain function fulfils with its return value', 'cancel() of a task parked at a yield point', 'none waits more than K-1 steps'],
  },
  'loses-task-on-close': {
    fail: ['nothing accepted is lost', 'drain mode lets accepted tasks spawn and join children while it drains'],
    pass: ['cancel mode cancels every unsettled task', 'a plain function fulfils with its return value', 'none waits more than K-1 steps'],
  },
  unfair: {
    fail: ['(generator bodies), none waits more than K-1 steps', '(state-machine bodies), none waits more than K-1 steps', '(mixed bodies), none waits more than K-1 steps'],
    pass: ['tasks start in spawn order', 'with K ready tasks (async bodies)', 'cancel() of a task parked at a yield point'],
  },
  'runs-cancelled-tasks': {
    fail: ['closures cancel() of queued tasks', 'task references cancel() of queued tasks'],
    pass: ['an already aborted signal', 'cancel() of a task parked at a yield point', 'cancel mode cancels every unsettled task', 'a plain function fulfils with its return value'],
  },
};

const names = Object.keys(expectations) as BrokenExecutorName[];
const runs = new Map<BrokenExecutorName, ChildRun>();

function matching(run: ChildRun, fragment: string, status: string): number {
  return run.tests.filter((test) => test.status === status && test.fullName.includes(fragment)).length;
}

describe('the conformance suite fails broken executors', () => {
  beforeAll(async () => {
    // Two child runs at a time: one per core.
    const queue = [...names];
    const worker = async (): Promise<void> => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        runs.set(name, await runVitest('test/meta/vitest.config.ts', { SPINDLE_BROKEN_EXECUTOR: name }));
      }
    };
    await Promise.all([worker(), worker()]);
  }, 120_000);

  for (const name of names) {
    it(`fails the executor that ${name.replaceAll('-', ' ')}, in the tests that check what it breaks`, () => {
      const run = runs.get(name);
      if (run === undefined) throw new Error(`no run for ${name}`);
      const failed = run.tests.filter((test) => test.status === 'failed');
      const passed = run.tests.filter((test) => test.status === 'passed');
      expect(run.tests.length, run.output).toBeGreaterThan(100);
      expect(run.exitCode, 'the child vitest run exits non-zero').not.toBe(0);
      for (const fragment of expectations[name].fail) {
        expect(matching(run, fragment, 'failed'), `a failing test matching "${fragment}"`).toBeGreaterThan(0);
      }
      for (const fragment of expectations[name].pass) {
        expect(matching(run, fragment, 'passed'), `a passing test matching "${fragment}"`).toBeGreaterThan(0);
      }
      // None of them declares losesWorkers: the worker-loss section is not declared at all.
      expect(run.tests.filter((test) => test.fullName.includes('(losesWorkers)')).map((test) => test.fullName)).toEqual([]);
      // The breakage shows in a minority of tests; most of the contract still holds.
      expect(failed.length).toBeLessThan(passed.length);
    });
  }
});
