import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CODE_SPAN, TaskEventCode, batchChannelName, forEachTaskEvent, taskEventRecordWeight } from '../src/events/event-batch.js';
import type { TaskEventBatch, WholeStepCode } from '../src/events/event-batch.js';
import { eventClockTick, holdEventClock } from '../src/events/event-clock.js';
import type { EventClockKind } from '../src/events/event-clock.js';
import { TaskEventLog } from '../src/events/event-log.js';
import { flushTaskEvents } from '../src/events/batch-log.js';
import { currentThread, eventTime } from '../src/events/channels.js';
import type { TaskEvent } from '../src/contract/lifecycle-events.js';
import type { SettledState } from '../src/contract/task-state.js';

/** One published batch: its events as objects, and what it said of itself. */
interface Seen {
  readonly events: TaskEvent[];
  readonly count: number;
  readonly weight: number;
  readonly records: number[];
}

/** Subscribes to the batch channel and decodes every batch at once (its array is reused). */
function collect(): { seen: Seen[]; stop: () => void } {
  const seen: Seen[] = [];
  const onBatch = (message: unknown): void => {
    const batch = message as TaskEventBatch;
    const events: TaskEvent[] = [];
    forEachTaskEvent(batch, (event) => events.push(event));
    const records = [...batch.records.subarray(0, batch.length)];
    seen.push({ events, count: batch.count, weight: records.reduce((sum, record) => sum + taskEventRecordWeight(record), 0), records });
  };
  subscribe(batchChannelName, onBatch);
  return { seen, stop: () => unsubscribe(batchChannelName, onBatch) };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Holds `clock` and collects every batch published, both undone after the test. */
function collectWith(clock: EventClockKind): Seen[] {
  cleanups.push(holdEventClock(clock));
  const { seen, stop } = collect();
  cleanups.push(stop);
  return seen;
}

/**
 * Runs `record` (which opens, fills and closes a window) again until no tick of the clock
 * thread fell inside: every batch it published holds exactly one time record.
 */
function withNoTickInside(seen: Seen[], record: () => void): void {
  for (;;) {
    seen.length = 0;
    const tick = eventClockTick();
    record();
    // The count, not only the times: a tick can leave the time as it was (the time in
    // effect may already be later than the tick's, read from the system clock).
    if (eventClockTick() === tick && seen.every((batch) => batch.records.filter((entry) => entry < 0).length === 1)) return;
  }
}

/** Spins until the event clock moves: inside a coarse window, until the clock thread ticks. */
function waitForTick(): void {
  const from = eventTime();
  while (eventTime() === from) {
    // The clock thread's tick (or the system clock) ends the loop.
  }
}

const spawnOf = (taskId: number, parentId: number): TaskEvent => ({
  kind: 'spawn',
  taskId,
  executor: 'steps',
  thread: currentThread,
  time: eventTime(),
  name: undefined,
  parentId,
  body: 'function child',
});

type StepEnd = 'yield' | 'wait' | 'waitOn' | 'done';

const wholeCodes: Record<Exclude<StepEnd, 'done'>, readonly [WholeStepCode, WholeStepCode]> = {
  yield: [TaskEventCode.StartYield, TaskEventCode.ResumeYield],
  wait: [TaskEventCode.StartWait, TaskEventCode.ResumeWait],
  waitOn: [TaskEventCode.StartWait, TaskEventCode.ResumeWait],
};

/** Opens a window as the harness's `openEventWindow` does for batch subscribers alone. */
function openForSteps(log: TaskEventLog, ready = true): void {
  log.open();
  if (ready) log.enterSteps();
}

/**
 * Records one step of `task` as an executor does: in a coarse window, one call as it ends
 * (`stepped`, or `finish` for a body that ended, before its settle); anywhere else the
 * general path, `step` as it begins and `later` as it suspends. A `waitOn` step waits on
 * task `task + 1`. `during` runs between the two ends (the body: spawns, ticks). A `woken`
 * step ran in its wake callback: in a coarse window its wake is recorded with it
 * (`wokenStepped`, `wokenFinish`), anywhere else first, as it came.
 */
function recordStep(log: TaskEventLog, task: number, first: boolean, end: StepEnd, during?: () => void, woken = false): void {
  const begin = first ? TaskEventCode.Start : TaskEventCode.Resume;
  const coarse = log.coarse;
  if (!coarse) {
    // A step run in its wake callback: its wake, recorded as it came.
    if (woken) log.wake(task);
    log.step(begin, task);
  }
  during?.();
  if (end === 'done') {
    if (coarse && woken) log.wokenFinish(task);
    else if (coarse) log.finish(begin, task);
    return;
  }
  if (!coarse) {
    log.later(end === 'yield' ? TaskEventCode.SuspendYield : TaskEventCode.SuspendWait, task, end === 'waitOn' ? task + 1 : Number.NaN);
    return;
  }
  const [startCode, resumeCode] = wholeCodes[end];
  if (woken) log.wokenStepped(resumeCode === TaskEventCode.ResumeYield ? TaskEventCode.ResumeYield : TaskEventCode.ResumeWait, task, end === 'waitOn' ? task + 1 : -1);
  else if (end === 'waitOn') log.steppedOn(first ? startCode : resumeCode, task, task + 1);
  else log.stepped(first ? startCode : resumeCode, task);
}

describe('TaskEventLog steps (stepped, finish, between, wake)', () => {
  it('with the coarse clock, a step with no tick and nothing else inside is one whole-step record', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    withNoTickInside(seen, () => {
      openForSteps(log);
      log.stepped(TaskEventCode.StartYield, 1);
      log.steppedOn(TaskEventCode.ResumeWait, 2, 9);
      log.stepped(TaskEventCode.ResumeWait, 1);
      log.close();
    });
    expect(seen[0]?.records.map(taskEventRecordWeight)).toEqual([0, 2, 2, 0, 2]);
    const events = seen[0]?.events ?? [];
    expect(events.map((event) => [event.kind, event.taskId])).toEqual([
      ['start', 1],
      ['suspend', 1],
      ['resume', 2],
      ['suspend', 2],
      ['resume', 1],
      ['suspend', 1],
    ]);
    expect(events[1]).toMatchObject({ reason: 'yield' });
    expect(events[3]).toMatchObject({ reason: 'wait', waitingOn: 9 });
    expect(events[5]).toMatchObject({ reason: 'wait' });
    expect(events[5]).not.toHaveProperty('waitingOn');
    expect(seen[0]?.count).toBe(6);
  });

  for (const clock of ['coarse', 'precise'] as const) {
    it(`with the ${clock} clock, keeps a step's beginning before what happened during it`, () => {
      const seen = collectWith(clock);
      const log = new TaskEventLog('steps');
      openForSteps(log);
      recordStep(log, 1, false, 'yield', () => {
        log.event(spawnOf(5, 1));
      });
      recordStep(log, 5, false, 'done', () => {
        log.spawned(7, 5, undefined, 'function grandchild');
      });
      log.event({ kind: 'settle', taskId: 5, executor: 'steps', thread: currentThread, time: eventTime(), state: 'fulfilled', error: undefined });
      log.between();
      // Cancelled between two steps (as an executor interrupts a task after its step).
      log.settled(8, 'cancelled', 'TaskCancelledError');
      log.between();
      recordStep(log, 6, true, 'done');
      log.settled(6, 'fulfilled', undefined);
      log.between();
      recordStep(log, 9, true, 'yield');
      log.close();
      expect(seen.flatMap((batch) => batch.events).map((event) => [event.kind, event.taskId])).toEqual([
        ['resume', 1],
        ['spawn', 5],
        ['suspend', 1],
        ['resume', 5],
        ['spawn', 7],
        ['settle', 5],
        ['settle', 8],
        ['start', 6],
        ['settle', 6],
        ['start', 9],
        ['suspend', 9],
      ]);
      for (const batch of seen) expect(batch.count).toBe(batch.events.length);
    });
  }

  it('with the coarse clock, a step across a tick begins at the time of one and suspends at the next', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    openForSteps(log);
    waitForTick();
    log.stepped(TaskEventCode.StartYield, 1);
    log.close();
    const [start, suspend] = seen[0]?.events ?? [];
    expect(start?.kind).toBe('start');
    expect(suspend?.kind).toBe('suspend');
    expect(suspend?.time).toBeGreaterThan(start?.time ?? Infinity);
  });

  it('with the coarse clock, a step after a tick begins no earlier than the step before it ended', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    openForSteps(log);
    log.stepped(TaskEventCode.StartYield, 1);
    waitForTick();
    log.stepped(TaskEventCode.StartYield, 2);
    log.stepped(TaskEventCode.StartYield, 3);
    log.close();
    const events = seen[0]?.events ?? [];
    expect(events.map((event) => `${event.kind}:${String(event.taskId)}`)).toEqual(['start:1', 'suspend:1', 'start:2', 'suspend:2', 'start:3', 'suspend:3']);
    const times = events.map((event) => event.time);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] ?? Infinity);
    // The tick is seen as step 2 ends: it may have begun before the tick, so it begins at the old time.
    expect(times[2]).toBe(times[1]);
    expect(times[3]).toBeGreaterThan(times[2] ?? Infinity);
  });

  it('a window readied for steps that records none publishes nothing', async () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    openForSteps(log);
    log.close();
    openForSteps(log);
    log.close(true);
    await Promise.resolve();
    flushTaskEvents();
    expect(seen).toHaveLength(0);
    // A window with a wake before it publishes the wake.
    log.wake(4);
    openForSteps(log);
    log.close();
    expect(seen.flatMap((batch) => batch.events).map((event) => event.kind)).toEqual(['wake']);
  });

  it('with the coarse clock, steps that fill batches stay whole steps, and every batch begins with a time', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    withNoTickInside(seen, () => {
      openForSteps(log);
      for (let i = 0; i < 5000; i++) log.stepped(TaskEventCode.ResumeYield, i);
      log.close();
    });
    expect(seen.length).toBeGreaterThan(1);
    for (const batch of seen) {
      expect(batch.records[0]).toBeLessThan(0);
      expect(batch.records.slice(1).every((record) => taskEventRecordWeight(record) === 2)).toBe(true);
    }
    const events = seen.flatMap((batch) => batch.events);
    expect(events).toHaveLength(10_000);
    expect(new Set(events.map((event) => event.time)).size).toBe(1);
  });

  it('expectWindow(): what is recorded before a drain goes out in the drain’s batch, not a batch of its own', async () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    const beforeWake = eventTime();
    log.wake(1);
    log.wake(2);
    log.expectWindow();
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toHaveLength(0);
    openForSteps(log);
    log.stepped(TaskEventCode.ResumeYield, 1);
    log.close();
    expect(seen).toHaveLength(1);
    const events = seen[0]?.events ?? [];
    expect(events.map((event) => [event.kind, event.taskId])).toEqual([
      ['wake', 1],
      ['wake', 2],
      ['resume', 1],
      ['suspend', 1],
    ]);
    // The wakes take the time the window opened at: after them, no later than the step.
    expect(events[0]?.time).toBeGreaterThanOrEqual(beforeWake);
    expect(events[0]?.time).toBeLessThanOrEqual(events[2]?.time ?? -Infinity);
    // Without expectWindow(), records made outside a window go out in the next microtask.
    log.wake(3);
    await Promise.resolve();
    expect(seen).toHaveLength(2);
    expect(seen[1]?.events.map((event) => event.kind)).toEqual(['wake']);
  });

  it('expectWindow(): records waiting for a time get it in the next microtask, not when a late drain comes', async () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    log.wake(1);
    log.expectWindow();
    await Promise.resolve();
    const afterMicrotask = eventTime();
    // The drain comes late (a spent time slice sends it to setImmediate): 5 ms of other work.
    const until = performance.now() + 5;
    while (performance.now() < until) {
      // Time passing is what is tested here.
    }
    openForSteps(log);
    log.stepped(TaskEventCode.ResumeYield, 1);
    log.close();
    const [wake, resume] = seen[0]?.events ?? [];
    expect(wake?.kind).toBe('wake');
    expect(wake?.time).toBeLessThanOrEqual(afterMicrotask);
    // The drain's own time is the clock thread's (a tick or, on a loaded machine, more behind).
    expect(resume?.time).toBeGreaterThanOrEqual(wake?.time ?? Infinity);
  });

  it('wokenStepped(): in a window readied for steps, a woken step that recorded nothing else is one record, its wake at the window’s time', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    withNoTickInside(seen, () => {
      openForSteps(log);
      log.wokenStepped(TaskEventCode.ResumeWait, 7, -1);
      log.wokenStepped(TaskEventCode.ResumeYield, 8, -1);
      log.close();
    });
    // A time, then each wake with its whole step (three events each).
    expect(seen[0]?.records.map(taskEventRecordWeight)).toEqual([0, 3, 3]);
    expect(seen[0]?.count).toBe(6);
    const events = seen[0]?.events ?? [];
    expect(events.map(label)).toEqual(['wake:7', 'resume:7', 'suspend:7:wait:', 'wake:8', 'resume:8', 'suspend:8:yield:']);
    expect(new Set(events.map((event) => event.time)).size).toBe(1);
  });

  it('wokenStepped(): the wake and the beginning go before what the step recorded, and a wait on a task keeps its task', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    openForSteps(log);
    log.stepped(TaskEventCode.StartYield, 1);
    log.spawned(20, 7, undefined, 'function child');
    log.wokenStepped(TaskEventCode.ResumeWait, 7, 20);
    log.wokenStepped(TaskEventCode.ResumeWait, 8, 7);
    log.close();
    const events = seen.flatMap((batch) => batch.events);
    expect(events.map(label)).toEqual([
      'start:1',
      'suspend:1:yield:',
      'wake:7',
      'resume:7',
      'spawn:20:7:undefined:function child',
      'suspend:7:wait:20',
      'wake:8',
      'resume:8',
      'suspend:8:wait:7',
    ]);
    for (const batch of seen) expect(batch.count).toBe(batch.events.length);
  });

  it('wokenStepped(): steps that fill a batch publish it at 1,024 numbers, as stepped() does, and lose nothing', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    const steps = 5000;
    openForSteps(log);
    for (let i = 0; i < steps; i++) log.wokenStepped(TaskEventCode.ResumeWait, 1 + (i % 9), -1);
    log.close();
    expect(seen.length).toBeGreaterThanOrEqual(5);
    for (const batch of seen) {
      expect(batch.records.length).toBeLessThanOrEqual(1024);
      expect(batch.count).toBe(batch.events.length);
    }
    const events = seen.flatMap((batch) => batch.events);
    expect(events.filter((event) => event.kind === 'wake')).toHaveLength(steps);
    expect(events.filter((event) => event.kind === 'suspend')).toHaveLength(steps);
  });

  it('wokenFinish(): a woken step whose body ended has its wake and beginning before its settlement', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    openForSteps(log);
    log.wokenFinish(7);
    log.settled(7, 'fulfilled', undefined);
    log.between();
    log.wokenStepped(TaskEventCode.ResumeYield, 8, -1);
    log.close();
    const events = seen.flatMap((batch) => batch.events);
    expect(events.map(label)).toEqual(['wake:7', 'resume:7', 'settle:7:fulfilled:undefined', 'wake:8', 'resume:8', 'suspend:8:yield:']);
    for (const batch of seen) expect(batch.count).toBe(batch.events.length);
  });

  it('wake(): in a coarse window within the tick of its latest time, the wake is one record at that time', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    withNoTickInside(seen, () => {
      openForSteps(log);
      log.stepped(TaskEventCode.StartYield, 1);
      // Another task woken during the next step (its waker settled), then one between steps.
      log.wake(8);
      log.stepped(TaskEventCode.ResumeWait, 1);
      log.wake(9);
      log.between();
      log.close();
    });
    // A time, a whole step, then the step that woke 8 in two records around the wake, then the wake of 9.
    expect(seen[0]?.records.map(taskEventRecordWeight)).toEqual([0, 2, 1, 1, 1, 1]);
    const events = seen[0]?.events ?? [];
    expect(events.map((event) => [event.kind, event.taskId])).toEqual([
      ['start', 1],
      ['suspend', 1],
      ['resume', 1],
      ['wake', 8],
      ['suspend', 1],
      ['wake', 9],
    ]);
    expect(new Set(events.map((event) => event.time)).size).toBe(1);
  });

  it('wake(): in a coarse window after the clock ticked, the wake takes the new time', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    openForSteps(log);
    log.stepped(TaskEventCode.StartYield, 1);
    waitForTick();
    log.wake(8);
    log.close();
    const events = seen.flatMap((batch) => batch.events);
    expect(events.map((event) => [event.kind, event.taskId])).toEqual([
      ['start', 1],
      ['suspend', 1],
      ['wake', 8],
    ]);
    expect(events[2]?.time).toBeGreaterThan(events[1]?.time ?? Infinity);
  });

  it('wake(): in a coarse window, after any record that read the clock, a wake in the same tick adds no time and one in a later tick takes the new time', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    // Records that read the clock: a spawn, a settlement, a wake after a tick, a step's slow path.
    const readers: readonly (readonly [string, () => void])[] = [
      ['spawn', () => {
        log.spawned(2, 1, undefined, 'function child');
      }],
      ['settle', () => {
        log.settled(2, 'fulfilled', undefined);
      }],
      ['wake', () => {
        log.wake(3);
      }],
      ['step', () => {
        log.stepped(TaskEventCode.ResumeYield, 1);
      }],
    ];
    for (const [name, read] of readers) {
      // Retried until no tick falls between the reader and the wake after it.
      for (;;) {
        seen.length = 0;
        openForSteps(log);
        log.stepped(TaskEventCode.StartYield, 1);
        waitForTick();
        const tick = eventClockTick();
        read();
        log.wake(8);
        const now = eventTime();
        const sameTick = eventClockTick() === tick;
        waitForTick();
        const laterTick = eventClockTick();
        log.wake(9);
        const later = eventTime();
        const sameLaterTick = eventClockTick() === laterTick;
        log.close();
        if (!sameTick || !sameLaterTick) continue;
        const events = seen.flatMap((batch) => batch.events);
        const records = seen.flatMap((batch) => batch.records);
        const wake8 = events.find((event) => event.kind === 'wake' && event.taskId === 8);
        const wake9 = events.find((event) => event.kind === 'wake' && event.taskId === 9);
        expect(wake8?.time, name).toBe(now);
        expect(wake9?.time, name).toBe(later);
        expect(later, name).toBeGreaterThan(now);
        // Each wake one record; the wake in the reader's tick right after it, with no time between.
        const at8 = records.indexOf(8 * CODE_SPAN + TaskEventCode.Wake);
        expect(records[at8 - 1], name).toBeGreaterThan(0);
        expect(records[records.indexOf(9 * CODE_SPAN + TaskEventCode.Wake) - 1], name).toBe(-later);
        break;
      }
    }
  });

  it('spawned() and settled(): in a coarse window, in the tick of the latest time they take it, and after a tick the new time', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    for (;;) {
      seen.length = 0;
      const tick = eventClockTick();
      openForSteps(log);
      const now = eventTime();
      log.stepped(TaskEventCode.StartYield, 1);
      log.spawned(2, 1, undefined, 'function child');
      log.settled(2, 'fulfilled', undefined);
      const sameTick = eventClockTick() === tick;
      waitForTick();
      const laterTick = eventClockTick();
      const later = eventTime();
      log.spawned(3, 1, undefined, 'function child');
      log.settled(3, 'rejected', 'Error');
      const sameLaterTick = eventClockTick() === laterTick;
      log.close();
      if (!sameTick || !sameLaterTick) continue;
      const events = seen.flatMap((batch) => batch.events);
      expect(events.map((event) => `${event.kind}:${String(event.taskId)}`)).toEqual(['start:1', 'suspend:1', 'spawn:2', 'settle:2', 'spawn:3', 'settle:3']);
      expect(events.slice(2, 4).map((event) => event.time)).toEqual([now, now]);
      expect(events.slice(4).map((event) => event.time)).toEqual([later, later]);
      expect(later).toBeGreaterThan(now);
      // One time record for the batch's start, one for the tick.
      expect(seen.flatMap((batch) => batch.records).filter((record) => record < 0)).toEqual([-now, -later]);
      return;
    }
  });

  it('wokenStepped(): in a window opened but not readied, the wake takes a time of its own', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    openForSteps(log, false);
    log.wokenStepped(TaskEventCode.ResumeYield, 7, -1);
    log.close();
    const events = seen.flatMap((batch) => batch.events);
    expect(events.map((event) => [event.kind, event.taskId])).toEqual([
      ['wake', 7],
      ['resume', 7],
      ['suspend', 7],
    ]);
    expect(events.every((event) => Number.isFinite(event.time))).toBe(true);
    expect(seen[0]?.records[0]).toBeLessThan(0);
  });

  it('wokenStepped(): outside a coarse window it records the wake as wake() does, then the step', async () => {
    const seen = collectWith('precise');
    const log = new TaskEventLog('steps');
    log.open();
    log.wokenStepped(TaskEventCode.ResumeYield, 3, -1);
    log.close();
    log.wokenStepped(TaskEventCode.ResumeWait, 4, 3);
    await Promise.resolve();
    const events = seen.flatMap((batch) => batch.events);
    expect(events.map(label)).toEqual(['wake:3', 'resume:3', 'suspend:3:yield:', 'wake:4', 'resume:4', 'suspend:4:wait:3']);
    for (let i = 1; i < events.length; i++) expect(events[i]?.time).toBeGreaterThanOrEqual(events[i - 1]?.time ?? Infinity);
  });

  it('close(true) publishes in the next microtask, with what else is recorded until then', async () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    for (const task of [1, 2, 3]) {
      openForSteps(log);
      log.stepped(TaskEventCode.ResumeYield, task);
      log.close(true);
    }
    expect(seen).toHaveLength(0);
    await Promise.resolve();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.events.map((event) => `${event.kind}:${String(event.taskId)}`)).toEqual(['resume:1', 'suspend:1', 'resume:2', 'suspend:2', 'resume:3', 'suspend:3']);
  });

  it('a batch that fills during a step grows, so that the step begins before what it recorded', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    openForSteps(log);
    log.stepped(TaskEventCode.StartYield, 7);
    // Children enough to fill several batches' worth while the step runs.
    for (let child = 2; child < 3000; child++) log.event(spawnOf(child, 1));
    log.stepped(TaskEventCode.ResumeYield, 1);
    log.close();
    const events = seen.flatMap((batch) => batch.events);
    expect(events.map((event) => `${event.kind}:${String(event.taskId)}`)).toEqual([
      'start:7',
      'suspend:7',
      'resume:1',
      ...Array.from({ length: 2998 }, (_, i) => `spawn:${String(i + 2)}`),
      'suspend:1',
    ]);
    for (const batch of seen) expect(batch.count).toBe(batch.events.length);
  });

  it('flushTaskEvents() reaches every log holding records, after any number of batches published', () => {
    const { seen, stop } = collect();
    cleanups.push(stop);
    const busy = new TaskEventLog('busy');
    // Many batches published one by one: the list of unpublished logs must not lose anyone.
    for (let i = 0; i < 300; i++) {
      busy.wake(i);
      busy.flush();
    }
    expect(seen).toHaveLength(300);
    seen.length = 0;
    const logs = Array.from({ length: 100 }, (_, i) => new TaskEventLog(`log-${String(i)}`));
    logs.forEach((log, i) => {
      log.wake(i);
    });
    busy.wake(1000);
    flushTaskEvents();
    expect(seen.flatMap((batch) => batch.events.map((event) => `${event.executor}:${String(event.taskId)}`)).sort()).toEqual(
      [...logs.map((log, i) => `${log.executor}:${String(i)}`), 'busy:1000'].sort(),
    );
    // Nothing is published twice.
    flushTaskEvents();
    expect(seen).toHaveLength(101);
  });

  it('a step that records more than a batch may grow to is published in parts, and loses nothing', () => {
    const seen = collectWith('coarse');
    const log = new TaskEventLog('steps');
    openForSteps(log);
    for (let child = 2; child < 70_000; child++) log.spawned(child, 1, undefined, 'function child');
    log.stepped(TaskEventCode.ResumeYield, 1);
    log.close();
    expect(seen.length).toBeGreaterThan(1);
    const events = seen.flatMap((batch) => batch.events);
    expect(events.filter((event) => event.kind === 'spawn')).toHaveLength(69_998);
    expect(events.filter((event) => event.taskId === 1).map((event) => event.kind)).toEqual(['resume', 'suspend']);
    for (const batch of seen) expect(batch.count).toBe(batch.events.length);
  });
});

/** What an executor might do to a log, and the events each should come out as. */
type Op =
  | {
      readonly op: 'step';
      readonly task: number;
      readonly first: boolean;
      readonly end: 'yield' | 'wait' | 'waitOn' | 'done';
      readonly spawns: number;
      readonly packed: boolean;
      readonly tick: boolean;
    }
  | { readonly op: 'settle'; readonly task: number; readonly state: SettledState; readonly packed: boolean }
  | { readonly op: 'spawn'; readonly task: number }
  | { readonly op: 'wake'; readonly task: number }
  | { readonly op: 'woken'; readonly task: number; readonly end: StepEnd; readonly spawns: number; readonly tick: boolean }
  | { readonly op: 'window'; readonly ready: boolean }
  | { readonly op: 'burst'; readonly steps: number }
  | { readonly op: 'legacy'; readonly task: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('step' as const),
      task: fc.integer({ min: 0, max: 50 }),
      first: fc.boolean(),
      end: fc.constantFrom('yield' as const, 'wait' as const, 'waitOn' as const, 'done' as const),
      spawns: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
      packed: fc.boolean(),
      tick: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('wake' as const), task: fc.integer({ min: 0, max: 50 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('woken' as const),
      task: fc.integer({ min: 0, max: 50 }),
      end: fc.constantFrom('yield' as const, 'wait' as const, 'waitOn' as const, 'done' as const),
      spawns: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
      tick: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('settle' as const),
      task: fc.integer({ min: 0, max: 50 }),
      state: fc.constantFrom<SettledState>('fulfilled', 'rejected', 'cancelled'),
      packed: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('spawn' as const), task: fc.integer({ min: 0, max: 50 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('window' as const), ready: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('burst' as const), steps: fc.integer({ min: 100, max: 1500 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('legacy' as const), task: fc.integer({ min: 0, max: 50 }) }) },
);

/**
 * An event as `drive` expects it: kind and task, and for a suspend its reason and the task
 * waited on, for a spawn its parent, name and body, for a settle its state and error.
 */
function label(event: TaskEvent): string {
  const head = `${event.kind}:${String(event.taskId)}`;
  switch (event.kind) {
    case 'suspend':
      return `${head}:${event.reason}:${event.waitingOn === undefined ? '' : String(event.waitingOn)}`;
    case 'spawn':
      return `${head}:${String(event.parentId)}:${String(event.name)}:${event.body}`;
    case 'settle':
      return `${head}:${event.state}:${String(event.error)}`;
    default:
      return head;
  }
}

/** Runs `ops` against a log and returns the events each op should publish, in order, as `kind:taskId` strings. */
function drive(log: TaskEventLog, ops: readonly Op[]): string[] {
  const expected: string[] = [];
  let open = false;
  let child = 1000;
  const step = (task: number, first: boolean, end: StepEnd, spawns: number, packed: boolean, tick: boolean, woken = false): void => {
    expected.push(`${first ? 'start' : 'resume'}:${String(task)}`);
    recordStep(
      log,
      task,
      first,
      end,
      () => {
      for (let i = 0; i < spawns; i++) {
        // Packed (as the executor shell records a spawn) or as an object (as the pool relays one).
        if (packed) log.spawned(child, task, `child-${String(child)}`, 'generator child');
        else log.event(spawnOf(child, task));
        expected.push(packed ? `spawn:${String(child)}:${String(task)}:child-${String(child)}:generator child` : `spawn:${String(child)}:${String(task)}:undefined:function child`);
        child++;
      }
      if (tick) waitForTick();
      },
      woken,
    );
    if (end === 'done') {
      // The task settles after its last step; what follows happened after it.
      log.settled(task, 'fulfilled', undefined);
      log.between();
      expected.push(`settle:${String(task)}:fulfilled:undefined`);
      return;
    }
    expected.push(`suspend:${String(task)}:${end === 'yield' ? 'yield' : 'wait'}:${end === 'waitOn' ? String(task + 1) : ''}`);
  };
  for (const op of ops) {
    switch (op.op) {
      case 'step':
        step(op.task, op.first, op.end, op.spawns, op.packed, op.tick);
        break;
      case 'spawn':
        // From outside any task.
        log.spawned(op.task, -1, undefined, 'async root');
        expected.push(`spawn:${String(op.task)}:undefined:undefined:async root`);
        // Recorded between two steps: an executor says so (the next step begins after it).
        log.between();
        break;
      case 'settle': {
        const error = op.state === 'fulfilled' ? undefined : op.state === 'rejected' ? 'TypeError' : 'TaskCancelledError';
        if (op.packed) log.settled(op.task, op.state, error);
        else log.event({ kind: 'settle', taskId: op.task, executor: 'steps', thread: currentThread, time: eventTime(), state: op.state, error });
        expected.push(`settle:${String(op.task)}:${op.state}:${String(error)}`);
        log.between();
        break;
      }
      case 'wake':
        log.wake(op.task);
        expected.push(`wake:${String(op.task)}`);
        log.between();
        break;
      case 'woken':
        // As the trampoline steps a task in its wake callback: the wake, then the step,
        // after whatever was recorded before (it says so with `between`).
        log.between();
        expected.push(`wake:${String(op.task)}`);
        step(op.task, false, op.end, op.spawns, true, op.tick, true);
        break;
      case 'window':
        if (open) log.close();
        else openForSteps(log, op.ready);
        open = !open;
        break;
      case 'burst':
        for (let i = 0; i < op.steps; i++) step(i % 7, false, 'yield', i % 97 === 0 ? 1 : 0, true, false);
        break;
      case 'legacy':
        // The general path, as an executor with per-kind subscribers too records a step.
        log.step(TaskEventCode.Resume, op.task);
        log.later(TaskEventCode.SuspendYield, op.task, Number.NaN);
        expected.push(`resume:${String(op.task)}`, `suspend:${String(op.task)}:yield:`);
        break;
    }
  }
  if (open) log.close();
  flushTaskEvents();
  return expected;
}

describe('TaskEventLog under any sequence of calls', () => {
  for (const clock of ['coarse', 'precise'] as EventClockKind[]) {
    it(`with the ${clock} clock: every event comes out once, in order, times never go back, and each batch counts its events`, () => {
      const seen = collectWith(clock);
      fc.assert(
        fc.property(fc.array(opArbitrary, { maxLength: 60 }), (ops) => {
          seen.length = 0;
          const log = new TaskEventLog('steps');
          const expected = drive(log, ops);
          const events = seen.flatMap((batch) => batch.events);
          expect(events.map(label)).toEqual(expected);
          for (const batch of seen) {
            expect(batch.count).toBe(batch.events.length);
            expect(batch.weight).toBe(batch.count);
          }
          for (let i = 1; i < events.length; i++) expect(events[i]?.time).toBeGreaterThanOrEqual(events[i - 1]?.time ?? Infinity);
          expect(events.every((event) => Number.isFinite(event.time))).toBe(true);
        }),
        { numRuns: 150 },
      );
    });
  }
});
