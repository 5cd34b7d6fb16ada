import { describe, expect, it } from 'vitest';
import { ExecutorClosedError, InvalidOptionsError, TaskCancelledError } from '../src/contract/errors.js';
import { Intake } from '../src/kit/intake.js';
import { Task } from '../src/kit/task.js';
import type { TaskOwner } from '../src/kit/task.js';

/** An intake and an owner whose tasks report to it; bodies are finished by hand. */
function setup(drained?: () => Promise<void>): { intake: Intake; spawn: () => Task } {
  const intake = new Intake('test#1', drained);
  const owner: TaskOwner = {
    label: 'test#1',
    spawnChild: () => {
      throw new TypeError('no children here');
    },
    // A cancelled body with nothing to clean up stops at once.
    interrupt: (task) => {
      task.finish(false, undefined);
    },
    turn: () => undefined,
    settled: (task) => {
      intake.settle(task);
    },
  };
  return {
    intake,
    spawn: () => {
      intake.assertOpen();
      const task = new Task(owner, undefined, undefined);
      intake.accept(task);
      return task;
    },
  };
}

describe('Intake', () => {
  it('drains: close() resolves once every accepted task has settled, and refuses work after', async () => {
    const { intake, spawn } = setup();
    const a = spawn();
    const b = spawn();
    expect(intake.live).toBe(2);
    let closed = false;
    const closing = intake.close(undefined).then(() => {
      closed = true;
    });
    expect(intake.closed).toBe(true);
    expect(() => spawn()).toThrow(ExecutorClosedError);
    a.finish(false, 1);
    await Promise.resolve();
    expect(closed).toBe(false);
    b.finish(false, 2);
    await closing;
    expect(intake.live).toBe(0);
    expect(await a).toBe(1);
  });

  it('cancels: every unsettled top-level task is cancelled with the reason, and close() resolves after them', async () => {
    const { intake, spawn } = setup();
    const a = spawn();
    const done = spawn();
    done.finish(false, 'ok');
    await intake.close({ mode: 'cancel', reason: 'shutting down' });
    await expect(a).rejects.toBeInstanceOf(TaskCancelledError);
    await expect(a).rejects.toMatchObject({ cause: 'shutting down' });
    expect(await done).toBe('ok');
  });

  it('escalates a drain to a cancel, runs the first-close hook once, and waits for drained()', async () => {
    const steps: string[] = [];
    const { intake, spawn } = setup(async () => {
      steps.push('drained');
      await Promise.resolve();
      steps.push('resources gone');
    });
    const a = spawn();
    const drain = intake.close(undefined, () => steps.push('first close'));
    const cancel = intake.close({ mode: 'cancel' }, () => steps.push('first close again'));
    expect(drain).toBe(cancel);
    await cancel;
    await expect(a).rejects.toMatchObject({ cause: expect.any(ExecutorClosedError) as unknown });
    expect(steps).toEqual(['first close', 'drained', 'resources gone']);
  });

  it('refuses an unknown close mode with InvalidOptionsError naming the option', () => {
    const { intake } = setup();
    expect(() => intake.close({ mode: 'later' as 'drain' })).toThrow(InvalidOptionsError);
    expect(intake.closed).toBe(false);
  });
});
