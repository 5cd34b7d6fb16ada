import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { taskEventProblems } from '@spindle/conformance';
import { channelNames } from '@spindle/core';
import {
  TaskEventCode,
  batchChannelName,
  forEachTaskEvent,
  holdEventClock,
  subscribeTaskEventStream,
  taskEventRecordCode,
} from '@spindle/core/events';
import type { TaskEventBatch } from '@spindle/core/events';
import type { TaskEvent, TaskHandle } from '@spindle/core';
import { afterEach, describe, expect, it } from 'vitest';
import { TrampolineExecutor, operation, spawn, until } from '../src/index.js';
import type { Instruction } from '../src/index.js';
import { deferred } from './helpers.js';

// Tasks stepped in their wake callbacks (outside a drain) share one event window for each
// turn of the event loop, as a drain's steps share the drain's.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Records the stream's events, as a recorder takes them (batches, with the coarse clock). */
function recordStream(): TaskEvent[] {
  const events: TaskEvent[] = [];
  cleanups.push(holdEventClock('coarse'));
  cleanups.push(
    subscribeTaskEventStream({
      onBatch: (batch) => {
        forEachTaskEvent(batch, (event) => events.push(event));
      },
      onEvent: (event) => events.push(event),
    }),
  );
  return events;
}

/** Resolves after the immediates queued so far have run. */
function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** A task on `ex` that waits on `first`, then on `second`, and returns their sum. */
function twoWaits(ex: TrampolineExecutor): { first: ReturnType<typeof deferred<number>>; second: ReturnType<typeof deferred<number>>; handle: TaskHandle<number> } {
  const first = deferred<number>();
  const second = deferred<number>();
  const handle = ex.spawn(function* (): Generator<unknown, number, number> {
    const a = yield first.promise;
    const b = yield second.promise;
    return a + b;
  });
  return { first, second, handle };
}

/**
 * Runs one task on `ex` that awaits `awaits` fresh promises one after another, then closes
 * `ex` and lets its last window publish (it closes as this turn of the event loop ends).
 */
async function awaitInSequence(ex: TrampolineExecutor, awaits: number): Promise<void> {
  const handle = ex.spawn(function* (): Generator<unknown, number, number> {
    let sum = 0;
    for (let k = 0; k < awaits; k++) sum += yield Promise.resolve(1);
    return sum;
  });
  expect(await handle).toBe(awaits);
  await ex.close();
  await nextTurn();
}

/** Counts the windows `ex` opens on its event log. */
function countWindows(ex: TrampolineExecutor): { readonly opened: number } {
  const log = ex.eventLog;
  const open = log.open.bind(log);
  const counter = { opened: 0 };
  log.open = (): void => {
    counter.opened++;
    open();
  };
  return counter;
}

describe('steps run in wake callbacks', () => {
  it('share one window per turn of the event loop, and every event of every task arrives in order', async () => {
    const events = recordStream();
    const ex = new TrampolineExecutor();
    const windows = countWindows(ex);
    const tasks = 200;
    const waits = 5;
    const handles = Array.from({ length: tasks }, (_, i) =>
      ex.spawn(function* (): Generator<unknown, number, number> {
        let sum = 0;
        for (let k = 0; k < waits; k++) sum += yield Promise.resolve(i);
        return sum;
      }),
    );
    const results = await Promise.all(handles);
    await ex.close();
    // The last window closes, and publishes, as this turn of the event loop ends.
    await nextTurn();
    expect(results).toEqual(Array.from({ length: tasks }, (_, i) => i * waits));

    const own = events.filter((event) => event.executor === ex.label);
    expect(taskEventProblems(own)).toEqual([]);
    for (const handle of handles) {
      const kinds = own.filter((event) => event.taskId === handle.id).map((event) => event.kind);
      // Every wake is followed at once by its step: the task was stepped in place.
      const expected = ['spawn', 'start', ...Array.from({ length: waits }, () => ['suspend', 'wake', 'resume']).flat(), 'settle'];
      expect(kinds).toEqual(expected);
    }
    // 1,000 wakes: a window each would be 1,000 windows; there is one per turn of the event
    // loop, besides the drains'.
    expect(windows.opened).toBeLessThan(4 * waits);
  });

  it('of a task that awaits one promise after another go out in a few batches, not one a step', async () => {
    const batches: number[] = [];
    cleanups.push(holdEventClock('coarse'));
    const ex = new TrampolineExecutor();
    cleanups.push(
      subscribeTaskEventStream({
        onBatch: (batch) => {
          if (batch.executor === ex.label) batches.push(batch.count);
        },
        onEvent: () => undefined,
      }),
    );
    const awaits = 1000;
    await awaitInSequence(ex, awaits);
    // Spawn, start, each await's suspend, wake and resume, settle.
    expect(batches.reduce((sum, count) => sum + count, 0)).toBe(3 + 3 * awaits);
    // A batch holds up to 1,024 numbers (a step woken in place is one, with its wake), and a window
    // lasts a turn of the event loop: a window per turn of microtasks was a batch per step.
    expect(batches.length).toBeLessThan(20);
  });

  it('of a task that recorded nothing else are one record each with the wake, and the events stay complete', async () => {
    const events = recordStream();
    const ex = new TrampolineExecutor();
    const codes: number[] = [];
    const onBatch = (message: unknown): void => {
      const batch = message as TaskEventBatch;
      if (batch.executor !== ex.label) return;
      for (let i = 0; i < batch.length; i++) {
        const record = batch.records[i] ?? -1;
        if (record >= 0) codes.push(taskEventRecordCode(record));
      }
    };
    subscribe(batchChannelName, onBatch);
    cleanups.push(() => unsubscribe(batchChannelName, onBatch));
    const awaits = 1000;
    await awaitInSequence(ex, awaits);
    // A tick of the clock during a step (every 0.1 ms, so rarely) makes it two records; the
    // rest are one.
    const woken = codes.filter((code) => code === TaskEventCode.WokeResumeWait).length;
    expect(woken).toBeGreaterThan(awaits / 2);
    expect(woken + codes.filter((code) => code === TaskEventCode.Wake).length).toBe(awaits);
    const own = events.filter((event) => event.executor === ex.label);
    expect(taskEventProblems(own)).toEqual([]);
    expect(own.map((event) => event.kind)).toEqual(['spawn', 'start', ...Array.from({ length: awaits }, () => ['suspend', 'wake', 'resume']).flat(), 'settle']);
  });

  it('put the wake and the beginning of a task stepped in place before what its step recorded', async () => {
    const events = recordStream();
    const ex = new TrampolineExecutor();
    // eslint-disable-next-line require-yield -- a child that finishes at once is the point
    const child = operation(function* child(): Generator<Instruction, number, unknown> {
      return 1;
    });
    const gate = deferred<number>();
    const handle = ex.spawn(function* () {
      const a = yield* until(gate.promise);
      // Woken in place: this step spawns a child and then waits again.
      const spawned = yield* spawn(child());
      const b = yield* until(Promise.resolve(2));
      return a + b + (spawned.id > 0 ? 0 : 1);
    });
    await nextTurn();
    gate.resolve(1);
    expect(await handle).toBe(3);
    await ex.close();
    await nextTurn();
    const own = events.filter((event) => event.executor === ex.label);
    expect(taskEventProblems(own)).toEqual([]);
    const parent = handle.id;
    const labels = own.map((event) => `${event.kind}:${event.taskId === parent ? 'parent' : 'child'}`);
    const wake = labels.indexOf('wake:parent');
    expect(labels.slice(wake, wake + 4)).toEqual(['wake:parent', 'resume:parent', 'spawn:child', 'suspend:parent']);
  });

  it('record every wake in order once the time slice is spent and woken tasks wait in the queue', async () => {
    const events = recordStream();
    // A slice this short is spent after the first look at the clock: most wakes then queue
    // their task (and record the wake) instead of stepping it in place.
    const ex = new TrampolineExecutor({ sliceMs: 0.001 });
    const tasks = 300;
    const waits = 4;
    const handles = Array.from({ length: tasks }, () =>
      ex.spawn(function* (): Generator<unknown, number, number> {
        let sum = 0;
        for (let k = 0; k < waits; k++) sum += yield Promise.resolve(1);
        return sum;
      }),
    );
    expect(await Promise.all(handles)).toEqual(handles.map(() => waits));
    await ex.close();
    await nextTurn();
    expect(ex.stats.slicesExpired).toBeGreaterThan(0);
    const own = events.filter((event) => event.executor === ex.label);
    expect(taskEventProblems(own)).toEqual([]);
    const expected = ['spawn', 'start', ...Array.from({ length: waits }, () => ['suspend', 'wake', 'resume']).flat(), 'settle'];
    for (const handle of handles) {
      expect(own.filter((event) => event.taskId === handle.id).map((event) => event.kind)).toEqual(expected);
    }
    for (let i = 1; i < own.length; i++) expect(own[i]?.time).toBeGreaterThanOrEqual(own[i - 1]?.time ?? Infinity);
  });

  it('see subscribers that arrived since the last turn of the event loop', async () => {
    recordStream();
    const ex = new TrampolineExecutor();
    const { first, second, handle } = twoWaits(ex);
    const resumes: unknown[] = [];
    const onResume = (message: unknown): void => {
      resumes.push(message);
    };
    // The first wake steps in place with the stream alone listening; its window closes in
    // an immediate queued after this test's first one.
    first.resolve(1);
    await nextTurn();
    await nextTurn();
    subscribe(channelNames.resume, onResume);
    cleanups.push(() => unsubscribe(channelNames.resume, onResume));
    second.resolve(2);
    expect(await handle).toBe(3);
    await ex.close();
    expect(resumes).toEqual([expect.objectContaining({ kind: 'resume', taskId: handle.id, executor: ex.label })]);
  });

  it('with nobody listening in a turn, are recorded again from the turn after a subscriber arrives', async () => {
    const ex = new TrampolineExecutor();
    const { first, second, handle } = twoWaits(ex);
    // Stepped in place with nobody listening: the executor notes it for this turn, which
    // ends with an immediate queued after this test's first one.
    first.resolve(1);
    await nextTurn();
    await nextTurn();
    const events = recordStream();
    second.resolve(2);
    expect(await handle).toBe(3);
    await ex.close();
    await nextTurn();
    const own = events.filter((event) => event.executor === ex.label).map((event) => [event.kind, event.taskId]);
    expect(own).toEqual([
      ['wake', handle.id],
      ['resume', handle.id],
      ['settle', handle.id],
    ]);
  });

  it('publish nothing once the last subscriber has left', async () => {
    const events = recordStream();
    const ex = new TrampolineExecutor();
    const gate = deferred<number>();
    const handle = ex.spawn(function* (): Generator<unknown, number, number> {
      return yield gate.promise;
    });
    await nextTurn();
    for (const cleanup of cleanups.splice(0)) cleanup();
    const seen = events.length;
    const windows = countWindows(ex);
    gate.resolve(7);
    expect(await handle).toBe(7);
    await ex.close();
    expect(events.length).toBe(seen);
    expect(windows.opened).toBe(0);
  });
});
