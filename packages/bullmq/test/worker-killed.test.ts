import { describe, expect, inject, it } from 'vitest';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channelNames, taskRef } from '@spindle/core';
import type { SettleEvent, TaskContext } from '@spindle/core';
import { BullmqExecutor, WorkerLostError } from '../dist/index.js';
import { startWorkers } from './workers.js';

const url = inject('redisUrl');
const announced = taskRef<(ctx: TaskContext, id: number, ms: number) => number>(new URL('./tasks.mjs', import.meta.url).href, 'announced');

/** Records which process started which task (the `announced` task says so over IPC). */
function startsOf(children: readonly { on(event: 'message', listener: (message: unknown) => void): unknown }[]): { readonly starts: { id: number; pid: number }[]; next(pid?: number): Promise<{ id: number; pid: number }> } {
  const starts: { id: number; pid: number }[] = [];
  let waiters: { pid: number | undefined; resolve: (start: { id: number; pid: number }) => void }[] = [];
  for (const child of children) {
    child.on('message', (message) => {
      const m = message as { started?: number; pid?: number };
      if (typeof m.started !== 'number' || typeof m.pid !== 'number') return;
      const start = { id: m.started, pid: m.pid };
      starts.push(start);
      const ready = waiters.filter((w) => w.pid === undefined || w.pid === start.pid);
      waiters = waiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve(start);
    });
  }
  return {
    starts,
    next: (pid) => new Promise((resolve) => waiters.push({ pid, resolve })),
  };
}

describe('a worker process killed mid-run', () => {
  it('three workers, one SIGKILLed while it runs a task: every task settles exactly once, with its result', async () => {
    const queueName = `killed-${process.pid}`;
    // Short locks so that BullMQ notices the dead worker within a second or two.
    const workers = await startWorkers(3, { url, queueName, lockDuration: 1_000, stalledInterval: 500 });
    const settles = new Map<number, SettleEvent[]>();
    const onSettle = (message: unknown): void => {
      const event = message as SettleEvent;
      settles.set(event.taskId, [...(settles.get(event.taskId) ?? []), event]);
    };
    subscribe(channelNames.settle, onSettle);
    const ex = new BullmqExecutor({ connection: url, queueName });
    try {
      const victim = workers.threads[0] ?? -1;
      const starts = startsOf(workers.children);
      const victimBusy = starts.next(victim);
      const count = 60;
      const handles = Array.from({ length: count }, (_, i) => ex.spawn(announced, [i, 60]));
      // The victim has said it started a task and is now busy with it (60 ms of CPU): kill it.
      const killed = await victimBusy;
      await workers.kill(0);
      const values = await Promise.all(handles);
      expect(values).toEqual(Array.from({ length: count }, (_, i) => i));
      const mine = [...settles.entries()].filter(([, events]) => events.some((event) => event.executor === ex.label));
      expect(mine.length, 'one task per handle settled').toBe(count);
      for (const [taskId, events] of mine) expect(events.length, `task ${taskId} settled ${events.length} times`).toBe(1);
      expect(handles.every((handle) => handle.state === 'fulfilled')).toBe(true);
      // The task the victim died in ran again on a survivor (BullMQ's stalled-job handling).
      const rerun = starts.starts.filter((start) => start.id === killed.id && start.pid !== victim);
      expect(rerun.length, `task ${killed.id} ran again elsewhere`).toBeGreaterThanOrEqual(1);
    } finally {
      unsubscribe(channelNames.settle, onSettle);
      await ex.close();
      await workers.stop();
    }
  });

  it('past maxStalledCount, the task of a dead worker rejects with WorkerLostError and the others still settle', async () => {
    const queueName = `lost-${process.pid}`;
    const workers = await startWorkers(2, { url, queueName, lockDuration: 1_000, stalledInterval: 500, maxStalledCount: 0 });
    const ex = new BullmqExecutor({ connection: url, queueName });
    try {
      const victim = workers.threads[0] ?? -1;
      const starts = startsOf(workers.children);
      const victimBusy = starts.next(victim);
      const handles = Array.from({ length: 10 }, (_, i) => ex.spawn(announced, [i, 60]));
      const killed = await victimBusy;
      await workers.kill(0);
      const outcomes = await Promise.allSettled(handles);
      const lost = outcomes[killed.id];
      expect(lost?.status).toBe('rejected');
      expect((lost as PromiseRejectedResult).reason).toBeInstanceOf(WorkerLostError);
      outcomes.forEach((outcome, i) => {
        if (i === killed.id || outcome.status === 'fulfilled') return;
        // The victim held other jobs too (an async body waiting on its first await frees
        // its place, so the worker took more): they are lost the same way, and say so.
        expect(outcome.reason).toBeInstanceOf(WorkerLostError);
      });
      const fulfilled = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [[i, outcome.value]] : []));
      expect(fulfilled.length, 'the survivor ran the rest').toBeGreaterThan(0);
      for (const [i, value] of fulfilled) expect(value).toBe(i);
    } finally {
      await ex.close();
      await workers.stop();
    }
  });
});
