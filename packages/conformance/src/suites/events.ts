import { afterEach, beforeEach, describe, expect } from 'vitest';
import { channelNames, taskRef } from '@spindle/core';
import { forEachTaskEvent, holdEventClock, subscribeTaskEventStream } from '@spindle/core/events';
import type { Executor, SettleEvent, SpawnEvent, TaskEvent, TaskEventKind, TaskHandle } from '@spindle/core';
import { Slot, reach } from '../board.js';
import { EventRecorder } from '../event-recorder.js';
import type { BodyMode, Suite } from '../harness.js';
import { outcomeOf } from '../outcome.js';
import { taskEventProblems } from '../task-event-order.js';

/** Runs a little of everything and returns the root handles once all have settled. */
async function workload(suite: Suite, ex: Executor, mode: BodyMode): Promise<TaskHandle<unknown>[]> {
  const byReference = mode === 'reference';
  const board = suite.board();
  const handles: TaskHandle<unknown>[] = [
    suite.spawn(ex, mode, 'plainValue', [1]),
    suite.spawn(ex, mode, 'generatorValue', [2]),
    suite.spawn(ex, mode, 'asyncValue', [3]),
    suite.spawn(ex, mode, 'generatorCatches', ['caught']),
    suite.spawn(ex, mode, 'generatorThrow', ['thrown']),
    suite.spawn(ex, mode, 'fib', [6, byReference]),
    suite.spawn(ex, mode, 'asyncJoinsChild', ['child', byReference]),
    suite.spawn(ex, mode, 'markRan', [suite.board()], { signal: AbortSignal.abort('never started') }),
    ex.spawn(taskRef(suite.options.fixturesModule, 'noSuchExport')),
  ];
  if (mode === 'closure') {
    let left = 5;
    handles.push(ex.spawn({ result: 'machine', next: () => --left === 0 }));
  }
  const parked = suite.spawn(ex, mode, 'parkUntilReleased', [board]);
  const spinning = suite.spawn(ex, mode, 'spinUntilStopped', [board]);
  const parent = suite.spawn(ex, mode, 'parentOfParkedChildren', [board, 2, byReference]);
  handles.push(parked, spinning, parent);
  const settled = Promise.all(handles.map((handle) => outcomeOf(handle)));
  await reach(board, Slot.started, 4);
  parked.cancel('cancelled while parked');
  spinning.cancel('cancelled while ready');
  parent.cancel('cancelled with children');
  await settled;
  return handles;
}

function fieldProblems(channel: TaskEventKind, message: unknown, label: string): string[] {
  const problems: string[] = [];
  if (typeof message !== 'object' || message === null) return [`a ${channel} message is not an object`];
  const event = message as Partial<Record<string, unknown>>;
  const where = `${channel} event of task ${String(event.taskId)}`;
  if (event.kind !== channel) problems.push(`${where}: kind is ${String(event.kind)}, published on ${channelNames[channel]}`);
  if (typeof event.taskId !== 'number') problems.push(`${where}: taskId is not a number`);
  if (event.executor !== label) problems.push(`${where}: executor is not the executor's label`);
  if (typeof event.thread !== 'number') problems.push(`${where}: thread is not a number`);
  if (typeof event.time !== 'number' || !Number.isFinite(event.time)) problems.push(`${where}: time is not a finite number`);
  switch (channel) {
    case 'spawn':
      if (typeof event.body !== 'string' || event.body === '') problems.push(`${where}: body is not a description`);
      if (event.name !== undefined && typeof event.name !== 'string') problems.push(`${where}: name is neither a string nor undefined`);
      if (event.parentId !== undefined && typeof event.parentId !== 'number') problems.push(`${where}: parentId is neither a number nor undefined`);
      break;
    case 'suspend':
      if (event.reason !== 'yield' && event.reason !== 'wait') problems.push(`${where}: reason is ${String(event.reason)}`);
      break;
    case 'steal':
      if (typeof event.from !== 'number' || typeof event.to !== 'number') problems.push(`${where}: from/to are not numbers`);
      break;
    case 'settle': {
      const state = event.state;
      if (state !== 'fulfilled' && state !== 'rejected' && state !== 'cancelled') problems.push(`${where}: state is ${String(state)}`);
      if (state === 'fulfilled' && event.error !== undefined) problems.push(`${where}: a fulfilled task names an error`);
      if (state !== 'fulfilled' && typeof event.error !== 'string') problems.push(`${where}: a failed task does not name its error`);
      break;
    }
    default:
      break;
  }
  return problems;
}

/** Lifecycle events on `node:diagnostics_channel`: valid order per task, well-formed payloads. */
export function describeEvents(suite: Suite): void {
  describe('lifecycle events', () => {
    let recorder = new EventRecorder();
    beforeEach(() => {
      recorder = new EventRecorder();
      recorder.start();
    });
    afterEach(() => {
      recorder.stop();
    });

    for (const mode of suite.modes) {
      suite.test(`every task's events arrive in a valid order: spawn, start, (suspend, [wake], resume)*, settle (${mode === 'closure' ? 'closures' : 'task references'})`, async () => {
        const ex = suite.executor();
        const handles = await workload(suite, ex, mode);
        const events = recorder.eventsOf(ex.label);
        expect(taskEventProblems(events)).toEqual([]);

        const spawns = new Map<number, SpawnEvent>();
        const settles = new Map<number, SettleEvent>();
        const positions = new Map<string, number>();
        events.forEach((event: TaskEvent, position) => {
          if (event.kind === 'spawn') spawns.set(event.taskId, event);
          if (event.kind === 'settle') settles.set(event.taskId, event);
          positions.set(`${event.kind}:${event.taskId}`, position);
        });
        for (const handle of handles) {
          expect(spawns.has(handle.id), `spawn event of task ${handle.id}`).toBe(true);
          expect(settles.get(handle.id)?.state, `settle event of task ${handle.id} matches its state`).toBe(handle.state);
        }
        const children = [...spawns.values()].filter((event) => event.parentId !== undefined);
        expect(children.length, 'children spawned by fib, asyncJoinsChild and the parent').toBeGreaterThan(10);
        for (const child of children) {
          const parentId = child.parentId ?? -1;
          expect(spawns.has(parentId), `the parent of task ${child.taskId} was spawned on this executor`).toBe(true);
          const childSettled = positions.get(`settle:${child.taskId}`) ?? Infinity;
          const parentSettled = positions.get(`settle:${parentId}`) ?? -Infinity;
          expect(childSettled, `child ${child.taskId} settles before its parent ${parentId}`).toBeLessThan(parentSettled);
        }
      });
    }

    suite.test("through the event stream alone (batches, as a recorder takes them), every task's events arrive in a valid order", async () => {
      // Nobody on the per-kind channels but the stream: executors record into their batches,
      // with the coarse clock (a recorder's default), where a step may be one record.
      recorder.stop();
      const releaseClock = holdEventClock('coarse');
      const events: TaskEvent[] = [];
      const stop = subscribeTaskEventStream({
        onBatch: (batch) => {
          forEachTaskEvent(batch, (event) => events.push(event));
        },
        onEvent: (event) => events.push(event),
      });
      const ex = suite.executor();
      let handles: TaskHandle<unknown>[];
      try {
        handles = await workload(suite, ex, suite.preferred);
      } finally {
        // Publishes what is still being gathered.
        stop();
        releaseClock();
      }
      const own = events.filter((event) => event.executor === ex.label);
      expect(taskEventProblems(own)).toEqual([]);
      const kinds = new Set(own.map((event) => event.kind));
      for (const kind of ['spawn', 'start', 'suspend', 'wake', 'resume', 'settle'] as const) {
        expect(kinds.has(kind), `some ${kind} event arrived`).toBe(true);
      }
      const settled = new Map(own.filter((event): event is SettleEvent => event.kind === 'settle').map((event) => [event.taskId, event.state]));
      for (const handle of handles) expect(settled.get(handle.id), `settle event of task ${handle.id} matches its state`).toBe(handle.state);
      // A body that returned did so in a step: its task was running when it settled (the
      // step that ended it is on the record, as a timeline draws it).
      const last = new Map<number, TaskEvent['kind']>();
      const endedOutsideAStep: number[] = [];
      for (const event of own) {
        if (event.kind === 'settle' && event.state === 'fulfilled' && last.get(event.taskId) !== 'start' && last.get(event.taskId) !== 'resume') endedOutsideAStep.push(event.taskId);
        last.set(event.taskId, event.kind);
      }
      expect(endedOutsideAStep).toEqual([]);
    });

    suite.test('every payload carries the fields of its kind and names this executor', async () => {
      const ex = suite.executor();
      await workload(suite, ex, suite.preferred);
      const messages = recorder.messagesOf(ex.label);
      const kinds = new Set(messages.map((entry) => entry.channel));
      for (const kind of ['spawn', 'start', 'suspend', 'wake', 'resume', 'settle'] as const) {
        expect(kinds.has(kind), `some ${kind} event was published`).toBe(true);
      }
      const problems = messages.flatMap((entry) => fieldProblems(entry.channel, entry.message, ex.label));
      expect(problems).toEqual([]);
    });

    suite.test("an executor's events name only its own tasks", async () => {
      const a = suite.executor();
      const b = suite.executor();
      expect(a.label).not.toBe(b.label);
      const [fromA, fromB] = await Promise.all([suite.spawn(a, suite.preferred, 'generatorValue', ['a']).then(() => 'a'), suite.spawn(b, suite.preferred, 'generatorValue', ['b']).then(() => 'b')]);
      expect([fromA, fromB]).toEqual(['a', 'b']);
      const idsOfA = new Set(recorder.eventsOf(a.label).map((event) => event.taskId));
      const idsOfB = new Set(recorder.eventsOf(b.label).map((event) => event.taskId));
      expect(idsOfA.size).toBe(1);
      expect(idsOfB.size).toBe(1);
      expect([...idsOfA].some((id) => idsOfB.has(id))).toBe(false);
    });
  });
}
