import { describe, expect, it } from 'vitest';
import { RingQueue } from '../src/kit/ring-queue.js';

describe('RingQueue', () => {
  it('keeps FIFO order across growth and wrap-around', () => {
    const queue = new RingQueue<number>(2);
    const out: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps while the buffer grows.
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 3; i++) queue.push(next++);
      const shifted = queue.shift();
      if (shifted !== undefined) out.push(shifted);
    }
    out.push(...queue.drain());
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
  });

  it('reports size and peeks without removing', () => {
    const queue = new RingQueue<string>();
    queue.push('a');
    queue.push('b');
    expect(queue.size).toBe(2);
    expect(queue.peek()).toBe('a');
    expect(queue.size).toBe(2);
  });
});
