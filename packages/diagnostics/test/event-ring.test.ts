import { TaskEventCode, taskEventRecord } from '@spindle/core';
import type { TaskEventBatch } from '@spindle/core';
import { describe, expect, it } from 'vitest';
import { EventRing } from '../src/event-ring.js';

/** A batch of wakes of `ids`, each at its own time (`1000 + id`), as a log packs them. */
function wakes(ids: readonly number[]): TaskEventBatch {
  const records = ids.flatMap((id) => [-(1000 + id), taskEventRecord(id, TaskEventCode.Wake)]);
  return { executor: 'ring', thread: 0, length: records.length, count: ids.length, records: Float64Array.from(records), events: [], strings: [] };
}

describe('EventRing', () => {
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
});
