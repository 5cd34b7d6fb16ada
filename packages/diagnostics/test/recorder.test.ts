import { Worker } from 'node:worker_threads';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { channels, coarseEventClockInUse, currentThread, eventTime } from '@spindle/core/events';
import type { TaskEvent } from '@spindle/core';
import { RoundRobinExecutor } from '@spindle/round-robin';
import { describe, expect, it } from 'vitest';
import { Recorder, forwardEvents, subscribeTaskEvents } from '../src/index.js';
import { forkJoin } from './programs.js';

describe('Recorder', () => {
  it('records every lifecycle event of a fork-join program, in time order', async () => {
    const recorder = new Recorder().start();
    const executor = new RoundRobinExecutor({ label: 'rec' });
    expect(await forkJoin(executor, 3, 4)).toBe(3);
    await executor.close();
    recorder.stop();
    const { events, dropped } = recorder.recording();
    expect(dropped).toBe(0);
    const kinds = events.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'spawn')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'settle')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'start')).toHaveLength(4);
    expect(events.every((e, i) => i === 0 || (events[i - 1]?.time ?? 0) <= e.time)).toBe(true);
    expect(new Set(events.map((e) => e.executor))).toEqual(new Set(['rec']));
    // Spawns and settlements travel packed: every field comes back.
    const spawns = events.filter((e) => e.kind === 'spawn');
    const root = spawns.find((e) => e.name === 'parent');
    expect(root?.parentId).toBeUndefined();
    expect(root?.body).toMatch(/parent/);
    const children = spawns.filter((e) => e.parentId === root?.taskId);
    expect(children.map((e) => e.name).sort()).toEqual(['child-0', 'child-1', 'child-2']);
    expect(children.every((e) => e.body.includes('child'))).toBe(true);
    const settles = events.filter((e) => e.kind === 'settle');
    expect(settles.every((e) => e.state === 'fulfilled' && e.error === undefined)).toBe(true);
  });

  it('records a rejected and a cancelled task with their errors', async () => {
    const recorder = new Recorder().start();
    const executor = new RoundRobinExecutor({ label: 'rec-errors' });
    const failing = executor.spawn(function* () {
      yield;
      throw new RangeError('no');
    });
    const cancelled = executor.spawn(function* () {
      for (;;) yield;
    });
    cancelled.cancel('enough');
    await Promise.allSettled([failing, cancelled]);
    await executor.close();
    recorder.stop();
    const settles = recorder.recording().events.filter((e) => e.kind === 'settle');
    expect(settles.map((e) => [e.taskId, e.state, e.error]).sort((x, y) => String(x[1]).localeCompare(String(y[1])))).toEqual([
      [cancelled.id, 'cancelled', 'TaskCancelledError'],
      [failing.id, 'rejected', 'RangeError'],
    ]);
  });

  it('is bounded: a full ring overwrites the oldest events and counts them as dropped', async () => {
    const recorder = new Recorder({ capacity: 10 }).start();
    const executor = new RoundRobinExecutor();
    await forkJoin(executor, 3, 4);
    await executor.close();
    recorder.stop();
    const { events, dropped } = recorder.recording();
    // Ten records: each a time, one event, or a whole step (two).
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThanOrEqual(20);
    expect(dropped).toBe(recorder.count - events.length);
    expect(dropped).toBeGreaterThan(0);
    expect(events.at(-1)?.kind).toBe('settle');
  });

  it('a wrapped ring keeps the time of its oldest records even when the time record before them is gone', async () => {
    // A small ring and a fast drain: with the coarse clock a drain writes a time only when
    // the clock ticks, so every record of the ring may come after the last time it still holds.
    const capacity = 64;
    const recorder = new Recorder({ capacity }).start();
    const executor = new RoundRobinExecutor();
    const before = eventTime();
    const steps = 2000;
    await executor.spawn({ left: steps, result: 0, next(): boolean { return --this.left === 0; } });
    await executor.close();
    recorder.stop();
    const after = eventTime();
    const { events, dropped } = recorder.recording();
    // Every kept record is an event or a whole step (two): at least one event per slot, less a few times.
    expect(events.length).toBeGreaterThanOrEqual(capacity - 4);
    expect(dropped).toBe(recorder.count - events.length);
    expect(events.every((event) => event.time >= before && event.time <= after)).toBe(true);
    expect(events.at(-1)?.kind).toBe('settle');
  });

  it('a batch longer than the ring keeps the time of its own records, not of those it overwrote', async () => {
    const recorder = new Recorder({ capacity: 10 }).start();
    const executor = new RoundRobinExecutor();
    // Old records, with their time, in the ring.
    await executor.spawn(function* () {
      yield;
      return 1;
    });
    // Later than every old record; times on a thread never go back, so every new record is at least this.
    const oldTime = eventTime();
    // One drain, one batch of far more than ten records.
    await executor.spawn({ left: 200, result: 0, next(): boolean { return --this.left === 0; } });
    await executor.close();
    recorder.stop();
    const { events } = recorder.recording();
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.time >= oldTime)).toBe(true);
  });

  it('records nothing before start or after stop, and clear() forgets', async () => {
    const recorder = new Recorder();
    const executor = new RoundRobinExecutor();
    await forkJoin(executor, 1, 1);
    expect(recorder.count).toBe(0);
    recorder.start();
    await forkJoin(executor, 1, 1);
    recorder.stop();
    const count = recorder.count;
    expect(count).toBeGreaterThan(0);
    await forkJoin(executor, 1, 1);
    expect(recorder.count).toBe(count);
    recorder.clear();
    expect(recorder.recording().events).toHaveLength(0);
    await executor.close();
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new Recorder({ capacity: 0 })).toThrow(/capacity/);
    expect(() => new Recorder({ capacity: 1.5 })).toThrow(/capacity/);
  });

  it('refuses a clock that is not coarse or precise', () => {
    expect(() => new Recorder({ clock: 'fast' as 'coarse' })).toThrow(/clock must be 'coarse' or 'precise'/);
    expect(new Recorder().clock).toBe('coarse');
  });

  it('uses the coarse clock while it records (unless asked for the precise one), and lets it go on stop', () => {
    const coarse = new Recorder().start();
    expect(coarseEventClockInUse()).toBe(true);
    const precise = new Recorder({ clock: 'precise' }).start();
    expect(coarseEventClockInUse()).toBe(false);
    precise.stop();
    expect(coarseEventClockInUse()).toBe(true);
    coarse.stop();
    expect(coarseEventClockInUse()).toBe(false);
  });

  it('keeps every event with its own executor when batches of several executors interleave and the ring wraps', async () => {
    const whole = new Recorder({ capacity: 100_000 }).start();
    const tails = [7, 25, 64].map((capacity) => new Recorder({ capacity }).start());
    const a = new RoundRobinExecutor({ label: 'ring-a' });
    const b = new RoundRobinExecutor({ label: 'ring-b' });
    await Promise.all([forkJoin(a, 3, 4), forkJoin(b, 2, 6), forkJoin(a, 1, 2)]);
    await Promise.all([a.close(), b.close()]);
    for (const recorder of [whole, ...tails]) recorder.stop();
    const all = whole.recording().events;
    expect(whole.dropped).toBe(0);
    expect(new Set(all.map((e) => e.executor))).toEqual(new Set(['ring-a', 'ring-b']));
    for (const tail of tails) {
      const { events, dropped } = tail.recording();
      expect(events.length).toBeGreaterThan(0);
      expect(events.length).toBeLessThanOrEqual(2 * tail.capacity);
      expect(dropped).toBe(all.length - events.length);
      expect(tail.count).toBe(all.length);
      // Batches arrive per drain, not in time order: each kept event must be one of the
      // whole recording's, with the same task, executor, thread and time.
      for (const event of events) expect(all).toContainEqual(event);
    }
  });

  it('receives events that a worker thread forwards, with the worker thread id and the shared clock', async () => {
    const recorder = new Recorder().start();
    const before = eventTime();
    const arrived = new Promise<TaskEvent[]>((resolve) => {
      const seen: TaskEvent[] = [];
      const stop = subscribeTaskEvents((event) => {
        if (event.executor !== 'worker-exec') return;
        seen.push(event);
        if (seen.length === 4) {
          stop();
          resolve(seen);
        }
      });
    });
    const worker = new Worker(new URL('./fixtures/forwarding-worker.mjs', import.meta.url));
    const workerThread = worker.threadId;
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const seen = await arrived;
    expect(await exited).toBe(0);
    // The recorder listens on its own end of the channel: messages reach the two ends in no
    // set order, so wait (turn by turn, bounded by the test's timeout) until its end has them too.
    const fromWorkerOf = (): TaskEvent[] => recorder.recording().events.filter((e) => e.executor === 'worker-exec');
    while (fromWorkerOf().length < 4) await nextTurn();
    recorder.stop();
    const fromWorker = fromWorkerOf();
    expect(fromWorker.map((e) => e.kind)).toEqual(['spawn', 'start', 'suspend', 'settle']);
    expect(seen.every((e) => e.thread === workerThread && workerThread > 0)).toBe(true);
    expect(fromWorker.every((e) => e.time >= before && e.time <= eventTime())).toBe(true);
  });

  it('worker events reach every listener on the thread, and none that has stopped, however often they come and go', async () => {
    const runWorker = async (): Promise<void> => {
      const worker = new Worker(new URL('./fixtures/forwarding-worker.mjs', import.meta.url));
      expect(await new Promise<number>((resolve) => worker.once('exit', resolve))).toBe(0);
    };
    // Twice: the second round finds the channel end the first left open for a while.
    for (let round = 0; round < 2; round++) {
      const stopped: TaskEvent[] = [];
      const stopEarly = subscribeTaskEvents((event) => {
        if (event.executor === 'worker-exec') stopped.push(event);
      });
      stopEarly();
      const heard: TaskEvent[][] = [[], []];
      const arrived = heard.map(
        (seen) =>
          new Promise<void>((resolve) => {
            const stop = subscribeTaskEvents((event) => {
              if (event.executor !== 'worker-exec') return;
              seen.push(event);
              if (seen.length === 4) {
                stop();
                resolve();
              }
            });
          }),
      );
      await runWorker();
      await Promise.all(arrived);
      expect(heard.map((seen) => seen.map((event) => event.kind))).toEqual([
        ['spawn', 'start', 'suspend', 'settle'],
        ['spawn', 'start', 'suspend', 'settle'],
      ]);
      expect(stopped).toEqual([]);
    }
  });

  it('forwardEvents() refuses to run on the main thread', () => {
    expect(() => forwardEvents()).toThrow(/worker threads/);
  });

  it('gives back every kind of event that another executor publishes by hand, field for field', () => {
    const recorder = new Recorder().start();
    const base = { executor: 'by-hand', thread: currentThread } as const;
    const t = eventTime();
    const events: TaskEvent[] = [
      { ...base, kind: 'spawn', taskId: 7, time: t, name: 'child', parentId: 3, body: 'generator child' },
      { ...base, kind: 'spawn', taskId: 8, time: t + 0.001, name: undefined, parentId: undefined, body: 'function other' },
      { ...base, kind: 'start', taskId: 7, time: t + 0.002 },
      { ...base, kind: 'suspend', taskId: 7, time: t + 0.003, reason: 'yield' },
      { ...base, kind: 'resume', taskId: 7, time: t + 0.004 },
      { ...base, kind: 'suspend', taskId: 7, time: t + 0.005, reason: 'wait', waitingOn: 8 },
      { ...base, kind: 'wake', taskId: 7, time: t + 0.006 },
      { ...base, kind: 'steal', taskId: 7, time: t + 0.007, from: 0, to: 1 },
      { ...base, kind: 'resume', taskId: 7, time: t + 0.008 },
      { ...base, kind: 'suspend', taskId: 7, time: t + 0.009, reason: 'wait' },
      { ...base, kind: 'settle', taskId: 7, time: t + 0.01, state: 'rejected', error: 'TypeError' },
      { ...base, kind: 'settle', taskId: 8, time: t + 0.011, state: 'cancelled', error: 'TaskCancelledError' },
    ];
    for (const event of events) channels[event.kind].publish(event);
    recorder.stop();
    expect(recorder.recording().events).toEqual(events);
    expect(recorder.count).toBe(events.length);
  });

  it('does not publish into channels itself: main-thread events are seen once', () => {
    const recorder = new Recorder().start();
    channels.wake.publish({ kind: 'wake', taskId: 1, executor: 'manual', thread: currentThread, time: eventTime() });
    recorder.stop();
    expect(recorder.recording().events).toHaveLength(1);
  });
});
