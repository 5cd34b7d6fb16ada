// The slot codec writes primitives by hand and everything else as one v8.serialize blob:
// whatever goes in must come out as structured clone would deliver it.
import { describe, expect, it } from 'vitest';
import { SlotReader, SlotWriter, slotBytes } from '../src/shared/slot-codec.js';
import { readPayload, readResult, writePayload, writeResult } from '../src/shared/payload.js';
import type { Payload } from '../src/shared/payload.js';
import { SharedState } from '../src/shared/shared-state.js';

const values: readonly unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 31,
  0.1,
  Number.NaN,
  Infinity,
  -Infinity,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  '',
  'a',
  'héllo wörld',
  '\ud800 lone surrogate \udfff',
  '😀 astral',
  'x'.repeat(5000),
  10n ** 30n,
  { a: 1, b: [1, 'two', { three: 3 }] },
  // A hole stays a hole.
  Object.assign(new Array<number>(3), { 0: 1, 2: 3 }),
  new Map([[1, 'one']]),
  new Set(['s']),
  new Date(0),
  /re/g,
  new Uint8Array([1, 2, 3]),
  new Error('boom'),
];

describe('slot codec', () => {
  const buffer = new SharedArrayBuffer(64 * 1024);
  const bytes = slotBytes(buffer);
  const writer = new SlotWriter();
  const reader = new SlotReader();

  it.each(values.map((value) => [value]))('%s comes back as structured clone gives it', (value) => {
    writer.begin(bytes, 8, buffer.byteLength);
    expect(writer.value(value)).toBe(true);
    reader.begin(bytes, 8);
    const back = reader.value();
    expect(back).toStrictEqual(structuredClone(value));
    if (typeof value === 'number') expect(Object.is(back, value)).toBe(true);
  });

  it('values written one after another come back in order, at odd offsets too', () => {
    writer.begin(bytes, 3, buffer.byteLength);
    for (const value of values) expect(writer.value(value)).toBe(true);
    reader.begin(bytes, 3);
    for (const value of values) expect(reader.value()).toStrictEqual(structuredClone(value));
  });

  it('refuses a value that would pass the end, whatever its kind', () => {
    for (const value of [1.5, 7, 'too long for four bytes', { a: 1 }, true]) {
      writer.begin(bytes, 0, 4);
      const first = writer.value(value);
      if (typeof value === 'boolean') expect(first).toBe(true);
      else expect(first).toBe(false);
    }
  });

  it('a cached string is returned as the same string when the characters match, and rebuilt when they do not', () => {
    const url = 'file:///srv/app/tasks.mjs';
    for (const text of [url, url, 'file:///srv/app/tasks.mjx', url]) {
      writer.begin(bytes, 0, 1024);
      writer.string(text);
      reader.begin(bytes, 0);
      expect(reader.string(5)).toBe(text);
    }
  });

  it('reports a corrupt slot instead of inventing a value', () => {
    new Uint8Array(buffer)[0] = 200;
    reader.begin(bytes, 0);
    expect(() => reader.value()).toThrow(/corrupt task slot/);
  });
});

describe('payloads and results in slots', () => {
  const state = SharedState.create(1, 16, 512, 4);

  it('a payload of primitives and objects round-trips; an object passed twice stays one object', () => {
    const shared = { n: 1 };
    const payload: Payload = ['file:///x.mjs', 'run', [1, 'two', shared, shared, undefined], 'named'];
    expect(writePayload(state, 3, payload)).toBe(true);
    const [module, exportName, args, name] = readPayload(state, 3);
    expect([module, exportName, name]).toEqual(['file:///x.mjs', 'run', 'named']);
    expect(args).toStrictEqual([1, 'two', { n: 1 }, { n: 1 }, undefined]);
    expect(args[2]).toBe(args[3]);
  });

  it('a payload without a name reads back without one; one too large for the slot is refused', () => {
    expect(writePayload(state, 4, ['file:///x.mjs', 'run', [1.5], undefined])).toBe(true);
    expect(readPayload(state, 4)).toStrictEqual(['file:///x.mjs', 'run', [1.5], undefined]);
    expect(writePayload(state, 5, ['file:///x.mjs', 'run', ['y'.repeat(300)], undefined])).toBe(false);
  });

  it('results round-trip; one too large is refused', () => {
    expect(writeResult(state, 6, 42)).toBe(true);
    expect(readResult(state, 6)).toBe(42);
    expect(writeResult(state, 6, { ok: [1, 2] })).toBe(true);
    expect(readResult(state, 6)).toStrictEqual({ ok: [1, 2] });
    expect(writeResult(state, 6, 'z'.repeat(1000))).toBe(false);
  });
});
