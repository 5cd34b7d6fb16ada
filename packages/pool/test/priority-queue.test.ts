// The shared priority queue against a model (a list sorted by priority, then arrival), on
// random programs of batched pushes and takes. (Its use across threads, under the spin lock,
// is exercised by the pool's priority stress test.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriorityQueue } from '../src/shared/priority-queue.js';

type Op = { readonly push: readonly number[] } | { readonly take: number };

const priority = fc.oneof(fc.constantFrom(-2, -1, 1, 2, 3), fc.double({ min: -1e9, max: 1e9, noNaN: true }));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ push: fc.array(priority, { minLength: 0, maxLength: 12 }) }),
  fc.record({ take: fc.integer({ min: 1, max: 10 }) }),
);

describe('the shared priority queue', () => {
  it('takes entries highest priority first and FIFO within a priority, whatever the program (model check)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (program) => {
        const queue = PriorityQueue.create(256);
        const model: { slot: number; priority: number; arrival: number }[] = [];
        let arrivals = 0;
        let nextSlot = 0;
        for (const step of program) {
          if ('push' in step) {
            const slots = step.push.map(() => nextSlot++);
            queue.pushBatch(slots, step.push, 0, slots.length);
            slots.forEach((slot, i) => model.push({ slot, priority: step.push[i] ?? 0, arrival: arrivals++ }));
            model.sort((a, b) => b.priority - a.priority || a.arrival - b.arrival);
          } else {
            for (let i = 0; i < step.take; i++) {
              expect(queue.top()).toBe(model[0]?.priority ?? Number.NEGATIVE_INFINITY);
              expect(queue.take()).toBe(model.shift()?.slot ?? -1);
            }
          }
          expect(queue.size).toBe(model.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('pushes part of a batch (from, count) and keeps at most its capacity', () => {
    const queue = PriorityQueue.create(4);
    queue.pushBatch([10, 11, 12, 13, 14, 15, 16], [1, 5, 2, 9, 3, 4, 8], 1, 6);
    expect(queue.size).toBe(4);
    expect([queue.take(), queue.take(), queue.take(), queue.take(), queue.take()]).toEqual([13, 11, 14, 12, -1]);
  });
});
