import { describe, expect, it } from 'vitest';
import { ChunkOrder, Turn } from '../src/main/chunk-order.js';

/** Feeds numbered chunks to `order` as `Outcomes.receive` does; returns them in the order handed on. */
function feed(order: ChunkOrder<number>, numbers: readonly number[]): number[] {
  const out: number[] = [];
  for (const seq of numbers) {
    const turn = order.turn(seq);
    if (turn === Turn.Early) {
      order.hold(seq, seq);
      continue;
    }
    if (turn === Turn.Now) order.passed();
    out.push(seq);
    if (turn === Turn.Now) for (let due = order.takeDue(); due !== undefined; due = order.takeDue()) out.push(due);
  }
  return out;
}

const TOP = 2 ** 32;

describe('ChunkOrder', () => {
  it('hands chunks on in number order, whatever order they come in', () => {
    expect(feed(new ChunkOrder<number>(), [2, 0, 3, 1, 5, 4])).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps the order across the 32-bit counter wrapping to 0', () => {
    const first = TOP - 3;
    const order = new ChunkOrder<number>(first);
    // The counter gives TOP - 3, TOP - 2, TOP - 1, then 0, 1, 2: out of order on arrival.
    expect(feed(order, [1, TOP - 2, 0, TOP - 3, 2, TOP - 1])).toEqual([TOP - 3, TOP - 2, TOP - 1, 0, 1, 2]);
    expect(order.expected).toBe(3);
  });

  it('holds a chunk just past the wrap as early, not late', () => {
    const order = new ChunkOrder<number>(TOP - 1);
    expect(order.turn(0)).toBe(Turn.Early);
    expect(order.turn(TOP - 1)).toBe(Turn.Now);
    expect(order.turn(TOP - 2)).toBe(Turn.Late);
  });

  it('after a crash, hands over held chunks in order across the wrap and lets skipped numbers pass as late', () => {
    const order = new ChunkOrder<number>(TOP - 2);
    // TOP - 2 never comes (its worker died); these wait behind it.
    expect(feed(order, [1, TOP - 1, 0])).toEqual([]);
    expect(order.skipTo(2)).toEqual([TOP - 1, 0, 1]);
    expect(order.expected).toBe(2);
    expect(order.turn(TOP - 2)).toBe(Turn.Late);
    expect(feed(order, [3, 2])).toEqual([2, 3]);
  });
});
