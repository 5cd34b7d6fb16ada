import { describe, expect, it } from 'vitest';
import { ChildList } from '../src/kit/child-list.js';

class Child {
  settled = false;
  constructor(readonly n: number) {}
}

describe('ChildList', () => {
  it('counts live children and lists them in spawn order, without the settled ones', () => {
    const list = new ChildList<Child>();
    const children = [0, 1, 2, 3].map((n) => new Child(n));
    for (const child of children) list.add(child);
    const [, second] = children;
    if (second === undefined) throw new Error('four children were made');
    second.settled = true;
    list.settledOne();
    expect(list.live).toBe(3);
    expect(list.snapshot().map((c) => c.n)).toEqual([0, 2, 3]);
  });

  it('keeps every live child, in order, across compactions, and forgets settled ones', () => {
    const list = new ChildList<Child>();
    const all: Child[] = [];
    let next = 0;
    // Spawn in waves and settle most of each: compactions happen along the way.
    for (let wave = 0; wave < 20; wave++) {
      for (let i = 0; i < 100; i++) {
        const child = new Child(next++);
        all.push(child);
        list.add(child);
      }
      for (const child of all) {
        if (!child.settled && child.n % 7 !== 0) {
          child.settled = true;
          list.settledOne();
        }
      }
      const live = all.filter((c) => !c.settled);
      expect(list.live).toBe(live.length);
      expect(list.snapshot()).toEqual(live);
      // Compacted: never more than four entries held per live child (under 64 it is left).
      expect((list as unknown as { entries: Child[] }).entries.length).toBeLessThanOrEqual(Math.max(63, 4 * live.length));
    }
    for (const child of all.filter((c) => !c.settled)) {
      child.settled = true;
      list.settledOne();
    }
    expect(list.live).toBe(0);
    expect(list.snapshot()).toEqual([]);
    expect((list as unknown as { entries: Child[] }).entries.length).toBe(0);
  });
});
