import { TaskEventCode, taskEventRecord } from '@spindle/core/events';
import type { TaskEventBatch } from '@spindle/core/events';
import { describe, expect, it } from 'vitest';
import { EventRing } from '../src/event-ring.js';

/** A batch of wakes of `ids`, each at its own time (`1000 + id`), as a log packs them. */
function wakes(ids: readonly number[]): TaskEventBatch {
  const records = ids.flatMap((id) => [-(1000 + id), taskEventRecord(id, TaskEventCode.Wake)]);
  return { executor: 'ring', thread: 0, length: records.length, count: ids.length, records: Float64Array.from(records), events: [], strings: [] };
}

/**
 * A batch of spawns of `ids` at time `1000 + first id`, each named after its id, every third
 * one cancelled at once (its error name in the strings too), as a log packs them.
 */
function spawnsAndCancels(ids: readonly number[]): TaskEventBatch {
  const records: number[] = [-(1000 + (ids[0] ?? 0))];
  const strings: (string | undefined)[] = [];
  for (const id of ids) {
    records.push(taskEventRecord(id, TaskEventCode.Spawn));
    strings.push(`task-${String(id)}`, `function body-${String(id % 5)}`);
    if (id % 3 === 0) {
      records.push(taskEventRecord(id, TaskEventCode.Cancelled));
      strings.push(`Error-${String(id)}`);
    }
  }
  return { executor: 'ring', thread: 0, length: records.length, count: records.length - 1, records: Float64Array.from(records), events: [], strings };
}

/** A batch of steps run in their wake callbacks, each one record: `ids` alternately yield and wait, at time 1000. */
function wokenSteps(ids: readonly number[]): TaskEventBatch {
  const records = [-1000, ...ids.map((id) => taskEventRecord(id, id % 2 === 0 ? TaskEventCode.WokeResumeYield : TaskEventCode.WokeResumeWait))];
  return { executor: 'ring', thread: 0, length: records.length, count: 3 * ids.length, records: Float64Array.from(records), events: [], strings: [] };
}

describe('EventRing', () => {
  it('keeps a step run in its wake callback as its wake, resume and suspend, and counts them as three events', () => {
    const ring = new EventRing(5);
    // Eight records: the ring keeps the last five (ids 3 to 7).
    ring.pushBatch(wokenSteps([1, 2, 3, 4, 5, 6, 7]));
    const events = ring.toArray();
    expect(events.map((event) => `${event.kind}:${String(event.taskId)}${event.kind === 'suspend' ? `:${event.reason}` : ''}`)).toEqual(
      [3, 4, 5, 6, 7].flatMap((id) => [`wake:${String(id)}`, `resume:${String(id)}`, `suspend:${String(id)}:${id % 2 === 0 ? 'yield' : 'wait'}`]),
    );
    expect(events.every((event) => event.time === 1000)).toBe(true);
    expect(ring.pushed).toBe(21);
    expect(ring.dropped).toBe(6);
  });

  for (const size of [1, 5, 40] as const) {
    it(`keeps the newest records of batches of ${String(size)} wakes pushed across its end many times, with their times`, () => {
      const capacity = 7 * size + 3;
      const ring = new EventRing(capacity);
      let next = 0;
      for (let batch = 0; batch < 60; batch++) {
        ring.pushBatch(wakes(Array.from({ length: size }, () => next++)));
      }
      const events = ring.toArray();
      // Two records a wake (its time, then it): the ring holds the newest records, and the
      // oldest wake it keeps may have lost its time record (the ring remembers that time).
      const kept = next - Math.floor((2 * next - capacity) / 2);
      expect(events.map((event) => event.taskId)).toEqual(Array.from({ length: kept }, (_, i) => next - kept + i));
      for (const event of events) {
        expect(event.kind).toBe('wake');
        expect(event.time).toBe(1000 + event.taskId);
      }
      expect(ring.pushed).toBe(next);
      expect(ring.dropped).toBe(next - kept);
    });
  }

  for (const size of [1, 6, 50] as const) {
    it(`keeps each kept spawn's and cancellation's strings with it, in batches of ${String(size)} pushed across its end many times`, () => {
      // Capacities below a batch's length too: a batch then drops its own oldest records.
      const ring = new EventRing(4 * size + 5);
      let next = 1;
      for (let batch = 0; batch < 40; batch++) {
        ring.pushBatch(spawnsAndCancels(Array.from({ length: size }, () => next++)));
      }
      const events = ring.toArray();
      expect(events.length).toBeGreaterThan(0);
      const lastId = next - 1;
      expect(events.at(-1)).toMatchObject({ kind: lastId % 3 === 0 ? 'settle' : 'spawn', taskId: lastId });
      for (const event of events) {
        if (event.kind === 'spawn') {
          expect(event.name).toBe(`task-${String(event.taskId)}`);
          expect(event.body).toBe(`function body-${String(event.taskId % 5)}`);
        } else {
          expect(event).toMatchObject({ kind: 'settle', state: 'cancelled', error: `Error-${String(event.taskId)}` });
          expect(event.taskId % 3).toBe(0);
        }
      }
      expect(ring.pushed).toBe(events.length + ring.dropped);
    });
  }
});
