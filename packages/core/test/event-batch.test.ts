import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { holdEventClock } from '../src/events/event-clock.js';
import {
  TaskEventCode,
  batchChannel,
  batchChannelName,
  forEachTaskEvent,
  taskEventRecordCode,
  taskEventRecordTaskId,
  taskEventRecordWeight,
} from '../src/events/event-batch.js';
import type { TaskEventBatch } from '../src/events/event-batch.js';
import { TaskEventLog } from '../src/events/event-log.js';
import { flushTaskEvents } from '../src/events/batch-log.js';
import { publishTaskEvent, subscribeTaskEventStream, wantsTaskEventObjects } from '../src/events/event-stream.js';
import { channels, currentThread, eventTime } from '../src/events/channels.js';
import { channelNames } from '../src/contract/lifecycle-events.js';
import type { TaskEvent } from '../src/contract/lifecycle-events.js';

/** Subscribes to the batch channel and keeps each batch's events as objects. */
function collectBatches(): { batches: TaskEvent[][]; stop: () => void } {
  const batches: TaskEvent[][] = [];
  const onBatch = (message: unknown): void => {
    const events: TaskEvent[] = [];
    forEachTaskEvent(message as TaskEventBatch, (event) => events.push(event));
    batches.push(events);
  };
  subscribe(batchChannelName, onBatch);
  return { batches, stop: () => unsubscribe(batchChannelName, onBatch) };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('TaskEventLog', () => {
  it('publishes one batch per window, in order, the end of a step timed by the start of the next', () => {
    const { batches, stop } = collectBatches();
    cleanups.push(stop);
    const log = new TaskEventLog('log#1');
    const before = eventTime();
    log.open();
    log.step(TaskEventCode.Start, 1);
    log.later(TaskEventCode.SuspendYield, 1, Number.NaN);
    log.step(TaskEventCode.Resume, 1);
    log.later(TaskEventCode.SuspendWait, 1, 7);
    expect(batches).toHaveLength(0);
    log.close();
    const after = eventTime();
    expect(batches).toHaveLength(1);
    const events = batches[0] ?? [];
    expect(events.map((event) => event.kind)).toEqual(['start', 'suspend', 'resume', 'suspend']);
    expect(events.every((event) => event.executor === 'log#1' && event.thread === currentThread)).toBe(true);
    const [start, yielded, resume, waited] = events.map((event) => event.time);
    expect(start).toBeGreaterThanOrEqual(before);
    // One clock read at the step boundary: the first step ends when the second begins.
    expect(yielded).toBe(resume);
    expect(yielded).toBeGreaterThanOrEqual(start ?? Infinity);
    expect(events[1]).toEqual({ kind: 'suspend', taskId: 1, executor: 'log#1', thread: currentThread, time: resume, reason: 'yield' });
    // The last step ends when the window closes.
    expect(waited).toBeGreaterThanOrEqual(resume ?? Infinity);
    expect(waited).toBeLessThanOrEqual(after);
    expect(events[3]).toMatchObject({ kind: 'suspend', reason: 'wait', waitingOn: 7 });
  });

  it('with the coarse clock, writes a step that ends at the time it began as one whole-step record', () => {
    const release = holdEventClock('coarse');
    cleanups.push(release);
    const seen: TaskEventBatch[] = [];
    const onBatch = (message: unknown): void => {
      const batch = message as TaskEventBatch;
      seen.push({ ...batch, records: batch.records.slice(0, batch.length), events: [...batch.events] });
    };
    subscribe(batchChannelName, onBatch);
    cleanups.push(() => unsubscribe(batchChannelName, onBatch));
    const log = new TaskEventLog('log#7');
    // Runs of steps until one window has no tick of the clock thread inside: then every
    // step is one record after one time.
    for (;;) {
      seen.length = 0;
      log.open();
      log.step(TaskEventCode.Start, 1);
      log.later(TaskEventCode.SuspendYield, 1, Number.NaN);
      log.step(TaskEventCode.Resume, 2);
      log.later(TaskEventCode.SuspendWait, 2, 9);
      log.step(TaskEventCode.Resume, 1);
      log.later(TaskEventCode.SuspendWait, 1, Number.NaN);
      log.close();
      const records = [...(seen[0]?.records ?? [])];
      if (records.filter((record) => record < 0).length === 1) {
        expect(records.slice(1).map((record) => [taskEventRecordTaskId(record), taskEventRecordCode(record)])).toEqual([
          [1, TaskEventCode.StartYield],
          [2, TaskEventCode.ResumeWait],
          [9, TaskEventCode.WaitingOn],
          [1, TaskEventCode.ResumeWait],
        ]);
        expect(records.map(taskEventRecordWeight)).toEqual([0, 2, 2, 0, 2]);
        break;
      }
    }
    const events: TaskEvent[] = [];
    const batch = seen[0];
    if (batch !== undefined) forEachTaskEvent(batch, (event) => events.push(event));
    expect(events.map((event) => [event.kind, event.taskId])).toEqual([
      ['start', 1],
      ['suspend', 1],
      ['resume', 2],
      ['suspend', 2],
      ['resume', 1],
      ['suspend', 1],
    ]);
    expect(events[3]).toMatchObject({ reason: 'wait', waitingOn: 9 });
    expect(events[5]).toMatchObject({ reason: 'wait' });
    expect(events[5]).not.toHaveProperty('waitingOn');
    expect(new Set(events.map((event) => event.time)).size).toBe(1);
  });

  it('with the coarse clock, keeps a step in two records when anything happened during it', () => {
    cleanups.push(holdEventClock('coarse'));
    const { batches, stop } = collectBatches();
    cleanups.push(stop);
    const log = new TaskEventLog('log#8');
    const spawn: TaskEvent = { kind: 'spawn', taskId: 5, executor: 'log#8', thread: currentThread, time: eventTime(), name: undefined, parentId: 1, body: 'function child' };
    log.open();
    log.step(TaskEventCode.Resume, 1);
    log.event(spawn);
    log.later(TaskEventCode.SuspendYield, 1, Number.NaN);
    log.close();
    expect(batches[0]?.map((event) => event.kind)).toEqual(['resume', 'spawn', 'suspend']);
  });

  it('keeps event objects in their place among compact records', () => {
    const { batches, stop } = collectBatches();
    cleanups.push(stop);
    const log = new TaskEventLog('log#2');
    const settle: TaskEvent = { kind: 'settle', taskId: 3, executor: 'log#2', thread: currentThread, time: eventTime(), state: 'fulfilled', error: undefined };
    log.open();
    log.step(TaskEventCode.Start, 3);
    log.event(settle);
    log.later(TaskEventCode.Wake, 4, Number.NaN);
    log.close();
    expect(batches[0]?.map((event) => event.kind)).toEqual(['start', 'settle', 'wake']);
    expect(batches[0]?.[1]).toBe(settle);
  });

  it('outside a window, publishes in the next microtask; flushTaskEvents() publishes at once', async () => {
    const { batches, stop } = collectBatches();
    cleanups.push(stop);
    const log = new TaskEventLog('log#3');
    log.later(TaskEventCode.Wake, 1, Number.NaN);
    expect(batches).toHaveLength(0);
    await Promise.resolve();
    expect(batches).toHaveLength(1);
    log.later(TaskEventCode.Wake, 2, Number.NaN);
    flushTaskEvents();
    expect(batches).toHaveLength(2);
    expect(batches[1]?.[0]).toMatchObject({ kind: 'wake', taskId: 2 });
    expect(Number.isNaN(batches[1]?.[0]?.time)).toBe(false);
  });

  it('stampNow() ends a step that ran outside a window at once, before later records', async () => {
    const { batches, stop } = collectBatches();
    cleanups.push(stop);
    const log = new TaskEventLog('log#6');
    log.step(TaskEventCode.Resume, 1);
    log.later(TaskEventCode.SuspendYield, 1, Number.NaN);
    log.stampNow();
    const afterStep = eventTime();
    await Promise.resolve();
    const events = batches[0] ?? [];
    expect(events.map((event) => event.kind)).toEqual(['resume', 'suspend']);
    expect(events[1]?.time).toBeLessThanOrEqual(afterStep);
  });

  it('publishes a full batch and goes on; no record is lost', () => {
    const { batches, stop } = collectBatches();
    cleanups.push(stop);
    const log = new TaskEventLog('log#4');
    log.open();
    for (let id = 0; id < 2500; id++) log.step(TaskEventCode.Resume, id);
    log.close();
    // With the precise clock every step is a time and a record: 2500 steps fill several batches.
    expect(batches.length).toBeGreaterThanOrEqual(5);
    expect(batches.flat().map((event) => event.taskId)).toEqual(Array.from({ length: 2500 }, (_, id) => id));
  });

  it('keeps, for the next batch, records a subscriber made while it was called', () => {
    const log = new TaskEventLog('log#5');
    const seen: number[][] = [];
    let nested = true;
    const onBatch = (message: unknown): void => {
      const ids: number[] = [];
      forEachTaskEvent(message as TaskEventBatch, (event) => ids.push(event.taskId));
      seen.push(ids);
      if (nested) {
        nested = false;
        log.open();
        log.step(TaskEventCode.Start, 99);
        log.close();
      }
    };
    subscribe(batchChannelName, onBatch);
    cleanups.push(() => unsubscribe(batchChannelName, onBatch));
    log.open();
    log.step(TaskEventCode.Start, 1);
    log.step(TaskEventCode.Start, 2);
    log.close();
    flushTaskEvents();
    expect(seen).toEqual([[1, 2], [99]]);
  });

  it('keeps the strings of spawns and settlements a subscriber made while it was called with their records', () => {
    const log = new TaskEventLog('log#6');
    const seen: string[][] = [];
    const stringCounts: number[] = [];
    let nested = true;
    const onBatch = (message: unknown): void => {
      stringCounts.push((message as TaskEventBatch).strings.length);
      const described: string[] = [];
      forEachTaskEvent(message as TaskEventBatch, (event) => {
        if (event.kind === 'spawn') described.push(`spawn ${String(event.taskId)} ${String(event.name)} ${event.body}`);
        if (event.kind === 'settle') described.push(`settle ${String(event.taskId)} ${event.state} ${String(event.error)}`);
      });
      seen.push(described);
      if (nested) {
        nested = false;
        log.spawned(99, -1, 'late', 'function late');
        log.settled(98, 'rejected', 'TypeError');
      }
    };
    subscribe(batchChannelName, onBatch);
    cleanups.push(() => unsubscribe(batchChannelName, onBatch));
    log.open();
    for (let id = 1; id <= 3; id++) log.spawned(id, -1, `task-${String(id)}`, 'function body');
    log.settled(2, 'cancelled', 'TaskCancelledError');
    log.close();
    flushTaskEvents();
    // A third batch, with fewer strings than the first: none of the earlier ones leak into it.
    log.open();
    log.settled(3, 'fulfilled', undefined);
    log.spawned(4, 3, undefined, 'function small');
    log.close();
    expect(seen).toEqual([
      ['spawn 1 task-1 function body', 'spawn 2 task-2 function body', 'spawn 3 task-3 function body', 'settle 2 cancelled TaskCancelledError'],
      ['spawn 99 late function late', 'settle 98 rejected TypeError'],
      ['settle 3 fulfilled undefined', 'spawn 4 undefined function small'],
    ]);
    // Exactly each batch's own: two a spawn, one a rejection or cancellation.
    expect(stringCounts).toEqual([7, 3, 2]);
  });
});

describe('subscribeTaskEventStream', () => {
  it('delivers each event once: core helpers through batches, other publishers one by one', () => {
    const batched: TaskEvent[] = [];
    const single: TaskEvent[] = [];
    const stop = subscribeTaskEventStream({
      onBatch: (batch) => {
        forEachTaskEvent(batch, (event) => batched.push(event));
      },
      onEvent: (event) => single.push(event),
    });
    cleanups.push(stop);
    // Only stream subscribers: core needs no objects for the per-kind channels.
    expect(wantsTaskEventObjects('start')).toBe(false);
    const foreign: TaskEvent = { kind: 'wake', taskId: 5, executor: 'someone', thread: currentThread, time: eventTime() };
    channels.wake.publish(foreign);
    expect(single).toEqual([foreign]);

    // A plain per-kind subscriber as well: core publishes objects for it, and the stream
    // subscriber still gets the event once, from the batch.
    const plain: unknown[] = [];
    const onPlain = (message: unknown): void => {
      plain.push(message);
    };
    subscribe(channelNames.settle, onPlain);
    cleanups.push(() => unsubscribe(channelNames.settle, onPlain));
    expect(wantsTaskEventObjects('settle')).toBe(true);
    const log = new TaskEventLog('stream#1');
    const settle: TaskEvent = { kind: 'settle', taskId: 6, executor: 'stream#1', thread: currentThread, time: eventTime(), state: 'fulfilled', error: undefined };
    log.open();
    publishTaskEvent(settle, log);
    log.close();
    expect(plain).toEqual([settle]);
    expect(batched).toEqual([settle]);
    expect(single).toEqual([foreign]);

    // Without a log: a batch of its own.
    publishTaskEvent({ ...settle, taskId: 8 });
    expect(batched.map((event) => event.taskId)).toEqual([6, 8]);
  });

  it('publishes what is still gathered when it unsubscribes, and then leaves every channel', () => {
    const batched: TaskEvent[] = [];
    const stop = subscribeTaskEventStream({
      onBatch: (batch) => {
        forEachTaskEvent(batch, (event) => batched.push(event));
      },
      onEvent: () => undefined,
    });
    const log = new TaskEventLog('stream#2');
    log.later(TaskEventCode.Wake, 1, Number.NaN);
    stop();
    expect(batched.map((event) => event.kind)).toEqual(['wake']);
    expect(batchChannel.hasSubscribers).toBe(false);
    expect(Object.values(channels).some((channel) => channel.hasSubscribers)).toBe(false);
  });
});
