import { describe, expect, it } from 'vitest';
import type { TaskHandle } from '@spindle/core';
import { SteppedTask } from '@spindle/core/kit';
import { RoundRobinExecutor } from '../src/index.js';

/** An async body that says it has started, then waits for `gate`. */
function waitFor(gate: Promise<number>, started: () => void) {
  return async (): Promise<number> => {
    started();
    return (await gate) + 1;
  };
}

function stepped(handle: TaskHandle<unknown>): SteppedTask {
  if (!(handle instanceof SteppedTask)) throw new TypeError('not a stepped task');
  return handle;
}

describe('a task parked on its async body', () => {
  it('keeps no coroutine, async context or wait object of its own, and settles with what the body returns', async () => {
    const ex = new RoundRobinExecutor();
    const gateway: { open?: (value: number) => void } = {};
    const gate = new Promise<number>((resolve) => {
      gateway.open = resolve;
    });
    let started = 0;
    const handles = [1, 2, 3].map(() => ex.spawn(waitFor(gate, () => started++)));
    // The first steps run in one drain; each parks in the step that started its body.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(started).toBe(3);
    const tasks = handles.map(stepped);
    for (const task of tasks) {
      expect(task.parked).toBe(true);
      expect(task.coroutine?.settling).toBe(true);
      expect(task.scope).toBeUndefined();
      expect(task.waiting).toBeUndefined();
    }
    // One coroutine for all of them: none holds one of its own.
    expect(new Set(tasks.map((task) => task.coroutine)).size).toBe(1);
    gateway.open?.(41);
    expect(await Promise.all(handles)).toEqual([42, 42, 42]);
    await ex.close();
  });

  it('rejects with the error its body rejects with', async () => {
    const ex = new RoundRobinExecutor();
    const error = new Error('the body failed after its await');
    const gateway: { fail?: (error: unknown) => void } = {};
    const gate = new Promise<number>((_resolve, reject) => {
      gateway.fail = reject;
    });
    let started = false;
    const handle = ex.spawn(
      waitFor(gate, () => {
        started = true;
      }),
    );
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(started).toBe(true);
    expect(stepped(handle).parked).toBe(true);
    gateway.fail?.(error);
    await expect(handle).rejects.toBe(error);
    await ex.close();
  });
});
