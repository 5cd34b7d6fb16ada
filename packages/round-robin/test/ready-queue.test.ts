import { describe, expect, it } from 'vitest';
import { ReadyQueue, SlotTable } from '../src/ready-queue.js';
import type { Slotted } from '../src/ready-queue.js';

class Item implements Slotted {
  slot = 0;
  entries = 0;
  constructor(readonly name: string) {}
}

function drain(queue: ReadyQueue<Item>): string[] {
  const out: string[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item.name);
  return out;
}

describe('ReadyQueue and its SlotTable', () => {
  it('is FIFO across growth, and counts an item queued twice twice', () => {
    const table = new SlotTable<Item>();
    const queue = new ReadyQueue<Item>(table, 2);
    const first = new Item('t0');
    const fourth = new Item('t3');
    const items = [first, new Item('t1'), new Item('t2'), fourth, ...Array.from({ length: 36 }, (_, i) => new Item(`t${i + 4}`))];
    for (const item of items) table.admit(item);
    // Move the head forward first, so that growth has to unwrap the ring.
    queue.push(first);
    queue.shift();
    for (const item of items) queue.push(item);
    queue.push(fourth);
    expect(queue.size).toBe(41);
    expect(drain(queue)).toEqual([...items.map((item) => item.name), 't3']);
    expect(queue.size).toBe(0);
  });

  it('does not reuse the slot of a retired item while an entry still names it', () => {
    const table = new SlotTable<Item>();
    const queue = new ReadyQueue<Item>(table);
    const a = new Item('a');
    table.admit(a);
    queue.push(a);
    table.retire(a);
    const b = new Item('b');
    table.admit(b);
    expect(b.slot).not.toBe(a.slot);
    queue.push(b);
    expect(drain(queue)).toEqual(['a', 'b']);
    // Now that no entry names `a`, its slot is free again.
    const c = new Item('c');
    table.admit(c);
    expect(c.slot).toBe(a.slot);
  });

  it('frees the slot of an item queued twice, then retired (twice), only once both entries are out', () => {
    const table = new SlotTable<Item>();
    const queue = new ReadyQueue<Item>(table);
    const a = new Item('a');
    table.admit(a);
    queue.push(a);
    queue.push(a);
    table.retire(a);
    table.retire(a);
    expect(queue.shift()?.name).toBe('a');
    const b = new Item('b');
    table.admit(b);
    expect(b.slot, 'one entry still names a').not.toBe(a.slot);
    expect(queue.shift()?.name).toBe('a');
    const c = new Item('c');
    table.admit(c);
    expect(c.slot).toBe(a.slot);
    expect(queue.size).toBe(0);
  });

  it('ignores a push of a retired item, whose slot may belong to another item by then', () => {
    const table = new SlotTable<Item>();
    const queue = new ReadyQueue<Item>(table);
    const a = new Item('a');
    table.admit(a);
    table.retire(a);
    const b = new Item('b');
    table.admit(b);
    expect(b.slot).toBe(a.slot);
    queue.push(a);
    expect(queue.size).toBe(0);
    queue.push(b);
    expect(drain(queue)).toEqual(['b']);
  });
});
