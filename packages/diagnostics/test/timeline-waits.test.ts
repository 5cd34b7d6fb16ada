import type { TaskEvent } from '@spindle/core';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskContext } from '@spindle/core';
import { RoundRobinExecutor } from '@spindle/round-robin';
import { describe, expect, it } from 'vitest';
import { Recorder, buildTimeline } from '../src/index.js';
import type { Recording } from '../src/index.js';
import { expectedWaits } from './expected-waits.js';

const x = { executor: 'x', thread: 0 } as const;

/** A parent that joins a child (which yields once, then parks), one task never started, one first seen mid-life. */
const recording: Recording = {
  events: [
    { ...x, kind: 'spawn', taskId: 1, time: 0, name: 'parent', parentId: undefined, body: 'generator parent' },
    { ...x, kind: 'start', taskId: 1, time: 1 },
    { ...x, kind: 'spawn', taskId: 2, time: 2, name: 'child', parentId: 1, body: 'generator child' },
    { ...x, kind: 'suspend', taskId: 1, time: 3, reason: 'wait', waitingOn: 2 },
    { ...x, kind: 'start', taskId: 2, time: 4 },
    { ...x, kind: 'suspend', taskId: 2, time: 5, reason: 'yield' },
    { ...x, kind: 'resume', taskId: 2, time: 7 },
    { ...x, kind: 'suspend', taskId: 2, time: 8, reason: 'wait' },
    { ...x, kind: 'spawn', taskId: 3, time: 10, name: 'never ran', parentId: undefined, body: 'generator idle' },
    { ...x, kind: 'start', taskId: 4, time: 12 },
    { ...x, kind: 'suspend', taskId: 4, time: 13, reason: 'wait' },
    { ...x, kind: 'wake', taskId: 2, time: 20 },
    { ...x, kind: 'resume', taskId: 2, time: 22 },
    { ...x, kind: 'settle', taskId: 2, time: 23, state: 'fulfilled', error: undefined },
    { ...x, kind: 'wake', taskId: 1, time: 23 },
    { ...x, kind: 'resume', taskId: 1, time: 25 },
    { ...x, kind: 'settle', taskId: 1, time: 26, state: 'rejected', error: 'TypeError' },
  ] satisfies TaskEvent[],
  dropped: 0,
  startTime: 0,
  endTime: 30,
};

const waitsOf = (taskId: number) =>
  buildTimeline(recording)
    .waits.filter((wait) => wait.taskId === taskId)
    .map(({ kind, start, end, open }) => ({ kind, start, end, open }))
    .sort((a, b) => a.start - b.start);

describe('buildTimeline: tasks and their waits', () => {
  it('reads parked time from a suspend to the wake, and ready time from spawn, yield or wake to the next step', () => {
    expect(waitsOf(1)).toEqual([
      { kind: 'ready', start: 0, end: 1, open: false },
      { kind: 'parked', start: 3, end: 23, open: false },
      { kind: 'ready', start: 23, end: 25, open: false },
    ]);
    expect(waitsOf(2)).toEqual([
      { kind: 'ready', start: 2, end: 4, open: false },
      { kind: 'ready', start: 5, end: 7, open: false },
      { kind: 'parked', start: 8, end: 20, open: false },
      { kind: 'ready', start: 20, end: 22, open: false },
    ]);
  });

  it('ends waits still open at the end of the recording, marked open', () => {
    expect(waitsOf(3)).toEqual([{ kind: 'ready', start: 10, end: 30, open: true }]);
    expect(waitsOf(4)).toEqual([{ kind: 'parked', start: 13, end: 30, open: true }]);
  });

  it('lists every task in the order they began, with parent, span and outcome', () => {
    const tasks = buildTimeline(recording).tasks.map(({ taskId, label, parentId, start, end, outcome }) => ({ taskId, label, parentId, start, end, outcome }));
    expect(tasks).toEqual([
      { taskId: 1, label: 'parent', parentId: undefined, start: 0, end: 26, outcome: 'rejected' },
      { taskId: 2, label: 'child', parentId: 1, start: 2, end: 23, outcome: 'fulfilled' },
      { taskId: 3, label: 'never ran', parentId: undefined, start: 10, end: 30, outcome: undefined },
      { taskId: 4, label: '#4', parentId: undefined, start: 12, end: 30, outcome: undefined },
    ]);
  });

  it('agrees with a reading of the raw events on a real run: three fetches parked side by side', async () => {
    async function fetchOne(_ctx: TaskContext, ms: number): Promise<number> {
      await sleep(ms);
      return ms;
    }
    async function fetchAll(ctx: TaskContext): Promise<number[]> {
      return Promise.all([30, 10, 20].map((ms) => ctx.spawn(fetchOne, [ms], { name: `fetch ${String(ms)}` })));
    }
    const recorder = new Recorder().start();
    const executor = new RoundRobinExecutor({ label: 'waits' });
    expect(await executor.spawn(fetchAll, [], { name: 'fetchAll' })).toEqual([30, 10, 20]);
    await executor.close();
    recorder.stop();
    const real = recorder.recording();
    const timeline = buildTimeline(real);
    const parked = timeline.waits.filter((wait) => wait.kind === 'parked');
    expect(parked.map((wait) => ({ taskId: wait.taskId, start: wait.start, end: wait.end })).sort((a, b) => a.taskId - b.taskId)).toEqual(
      expectedWaits(real.events).map(({ taskId, start, end }) => ({ taskId, start, end })),
    );
    // Every task parked once, and the three fetches' waits overlap: they wait side by side.
    expect(new Set(parked.map((wait) => wait.taskId)).size).toBe(4);
    const fetches = parked.filter((wait) => timeline.tasks.find((task) => task.taskId === wait.taskId)?.label.startsWith('fetch') === true);
    expect(Math.max(...fetches.map((wait) => wait.start))).toBeLessThan(Math.min(...fetches.map((wait) => wait.end)));
  });
});
