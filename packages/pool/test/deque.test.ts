import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { EMPTY, RETRY, WorkStealingDeque } from '../dist/index.js';

describe('WorkStealingDeque on one thread', () => {
  it('the owner pops LIFO, thieves steal FIFO, and a full deque refuses a push', () => {
    const deque = WorkStealingDeque.create(4);
    expect([1, 2, 3, 4].map((item) => deque.push(item))).toEqual([true, true, true, true]);
    expect(deque.push(5)).toBe(false);
    expect(deque.size).toBe(4);
    expect(deque.steal()).toBe(1);
    expect(deque.pop()).toBe(4);
    expect(deque.pop()).toBe(3);
    expect(deque.steal()).toBe(2);
    expect(deque.pop()).toBe(EMPTY);
    expect(deque.steal()).toBe(EMPTY);
    expect(RETRY).not.toBe(EMPTY);
  });

  it('keeps working after the indices wrap many times round a small ring', () => {
    const deque = WorkStealingDeque.create(2);
    for (let i = 0; i < 10_000; i++) {
      expect(deque.push(i)).toBe(true);
      expect(i % 2 === 0 ? deque.pop() : deque.steal()).toBe(i);
    }
    expect(deque.size).toBe(0);
  });

  it('stealHalf takes about half, oldest first', () => {
    const deque = WorkStealingDeque.create(16);
    for (let i = 0; i < 9; i++) deque.push(i);
    const out: number[] = [];
    expect(deque.stealHalf(out, 0, 64)).toBe(5);
    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect(deque.size).toBe(4);
  });

  it('refuses a capacity that is not a power of two', () => {
    expect(() => WorkStealingDeque.create(6)).toThrow(RangeError);
    expect(() => WorkStealingDeque.create(1)).toThrow(RangeError);
  });
});

function run(role: string, data: Record<string, unknown>): Promise<number> {
  const worker = new Worker(new URL('./deque-worker.mjs', import.meta.url), { workerData: { role, ...data }, execArgv: [] });
  return new Promise<number>((resolve, reject) => {
    worker.once('message', (count: number) => {
      resolve(count);
    });
    worker.once('error', reject);
  });
}

describe('WorkStealingDeque under contention', () => {
  for (const capacity of [2, 4, 8, 64]) {
    it(`every item is taken exactly once: one owner and 6 thieves (single and half steals), capacity ${capacity}`, async () => {
      const items = 150_000;
      const thieves = 6;
      const deque = WorkStealingDeque.create(capacity);
      const taken = new SharedArrayBuffer(items * 4);
      const control = new SharedArrayBuffer(8);
      const data = { deque: deque.buffer, taken, control, items, thieves };
      const counts = await Promise.all([
        run('owner', { ...data, seed: 7 }),
        ...Array.from({ length: thieves }, (_, i) => run(i % 2 === 0 ? 'thief' : 'half-thief', { ...data, seed: 11 + i })),
      ]);
      const tally = new Int32Array(taken);
      const wrong: string[] = [];
      for (let i = 0; i < items && wrong.length < 5; i++) if (tally[i] !== 1) wrong.push(`item ${i} taken ${tally[i]} times`);
      expect(wrong).toEqual([]);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(items);
      // The thieves did take part (else the test proved nothing about races).
      expect(counts.slice(1).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    });
  }
});
