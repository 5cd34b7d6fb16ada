import { describe, expect, it } from 'vitest';
import { InvalidTaskError } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { RoundRobinExecutor } from '../src/index.js';

/** A body that records `name` at each of its `steps` steps. */
function* stepper(ctx: TaskContext, log: string[], name: string, steps: number): Generator<unknown, void, unknown> {
  for (let i = 0; i < steps; i++) {
    log.push(name);
    yield ctx.yield();
  }
}

describe('round-robin priorities', () => {
  it('steps ready tasks of a higher priority first, and round-robin within a priority', async () => {
    const ex = new RoundRobinExecutor();
    const log: string[] = [];
    const tasks = [
      ex.spawn(stepper, [log, 'low-a', 2]),
      ex.spawn(stepper, [log, 'high-a', 2], { priority: 5 }),
      ex.spawn(stepper, [log, 'low-b', 2]),
      ex.spawn(stepper, [log, 'high-b', 2], { priority: 5 }),
      ex.spawn(stepper, [log, 'mid', 1], { priority: 1 }),
    ];
    await Promise.all(tasks);
    await ex.close();
    expect(log).toEqual(['high-a', 'high-b', 'high-a', 'high-b', 'mid', 'low-a', 'low-b', 'low-a', 'low-b']);
  });

  it('lets a high priority that yields for ever starve lower ones, and lower ones run while it waits', async () => {
    const ex = new RoundRobinExecutor();
    const log: string[] = [];
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const high = ex.spawn(
      function* (ctx: TaskContext) {
        for (let i = 0; i < 50; i++) {
          log.push('high');
          yield ctx.yield();
        }
        // Parked: lower priorities get the thread until the gate opens.
        yield gate;
        log.push('high after gate');
      },
      [],
      { priority: 10 },
    );
    const low = ex.spawn(stepper, [log, 'low', 3]);
    const lowDone = low.then(() => {
      log.push('low done');
      release?.();
    });
    await Promise.all([high, lowDone]);
    await ex.close();
    // Not one low step while the high-priority task was ready.
    expect(log.slice(0, 50)).toEqual(Array<string>(50).fill('high'));
    expect(log.slice(50)).toEqual(['low', 'low', 'low', 'low done', 'high after gate']);
  });

  it("gives children their parent's priority unless they are given one", async () => {
    const ex = new RoundRobinExecutor();
    const seen = await ex.spawn(
      function* (ctx: TaskContext) {
        const inherited = ctx.spawn(function* () {
          yield undefined;
          return 'x';
        });
        const own = ctx.spawn(() => 'y', [], { priority: -1 });
        yield inherited;
        yield own;
        return [(inherited as unknown as { priority: number }).priority, (own as unknown as { priority: number }).priority];
      },
      [],
      { priority: 3 },
    );
    await ex.close();
    expect(seen).toEqual([3, -1]);
  });

  it('refuses a priority that is not a finite number, at the call', async () => {
    const ex = new RoundRobinExecutor();
    for (const priority of ['high', Number.NaN, Number.POSITIVE_INFINITY, null]) {
      expect(() => ex.spawn(() => 1, [], { priority: priority as number })).toThrow(InvalidTaskError);
    }
    expect(() => ex.spawn(() => 1, [], { priority: Number.NaN })).toThrow(/options.priority must be a finite number/);
    expect(await ex.spawn(() => 1, [], { priority: -2.5 })).toBe(1);
    await ex.close();
  });
});
