// Unit tests of internals, on the sources: what JSON may carry for a job, and how the spawn
// and keep settings are said to BullMQ.
import { describe, expect, it } from 'vitest';
import { decodeJobArguments, encodeJobArguments, isJsonSafe, jobResult, readJobResult } from '../src/job-values.js';
import { childRemoveOnComplete, keepSettings } from '../src/keep-jobs.js';
import { bullPriority, priorityLimit } from '../src/spawn-options.js';

describe('isJsonSafe', () => {
  it('is true exactly where a JSON round trip gives what a structured clone gives', () => {
    const safe: unknown[] = ['', 'text \u{1F600} \uD800', 0, 1.5, -7, Number.MAX_VALUE, true, null, [], {}, [1, ['a', { b: null }]], Object.create(null) as object];
    for (const [i, value] of safe.entries()) {
      expect(isJsonSafe(value), `safe[${String(i)}]`).toBe(true);
      expect(JSON.parse(JSON.stringify(value)) as unknown).toStrictEqual(structuredClone(value));
    }
    const holey: unknown[] = [];
    holey[1] = 1;
    const labelled = Object.assign([1, 2], { label: 'x' });
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: unknown = 0;
    for (let i = 0; i < 100; i++) deep = [deep];
    const unsafe: unknown[] = [undefined, Number.NaN, Number.POSITIVE_INFINITY, -0, 1n, Symbol('s'), () => 1, new Date(0), new Map(), new Set(), new Uint8Array(1), /x/, new Error('e'), holey, labelled, [shared, shared], cyclic, { a: undefined }, deep, JSON.parse('{"__proto__": 1}') as unknown];
    for (const [i, value] of unsafe.entries()) expect(isJsonSafe(value), `unsafe[${String(i)}]`).toBe(false);
  });
});

describe('job arguments and results', () => {
  it('carries JSON-safe arguments as themselves and the rest as bytes, and reads both back', () => {
    expect(encodeJobArguments([1, 'a', { b: [true] }])).toEqual({ a: [1, 'a', { b: [true] }], shared: [] });
    const map = new Map([[1, 2]]);
    const encoded = encodeJobArguments([map, 3n]);
    expect(typeof encoded.a).toBe('string');
    expect(decodeJobArguments(encoded.a, encoded.shared)).toEqual([map, 3n]);
    expect(decodeJobArguments([1, 2], undefined)).toEqual([1, 2]);
  });

  it('keeps a result as itself when JSON carries it, else as marked bytes, and reads both back', () => {
    for (const value of [5, 'text', null, [1, { a: 2 }]]) {
      expect(jobResult(value)).toBe(value);
      expect(readJobResult(JSON.parse(JSON.stringify(jobResult(value))))).toStrictEqual(value);
    }
    for (const value of [undefined, new Date(0), -0, { $spindle: 'x' }, { $spindle: 1, more: true }]) {
      const stored = JSON.parse(JSON.stringify(jobResult(value))) as unknown;
      expect(Object.keys(stored as object)).toEqual(['$spindle']);
      expect(readJobResult(stored)).toStrictEqual(value);
    }
    expect(() => jobResult(() => 1)).toThrow();
  });
});

describe('priorities and kept jobs as BullMQ says them', () => {
  it('maps higher Spindle priorities to lower BullMQ numbers, inside BullMQ’s range', () => {
    expect(bullPriority(0)).toBe(2 ** 20);
    expect(bullPriority(priorityLimit)).toBe(1);
    expect(bullPriority(-priorityLimit)).toBe(2 ** 21 - 1);
    expect(bullPriority(5)).toBeLessThan(bullPriority(4));
    expect(bullPriority(1.6)).toBe(bullPriority(2.4));
  });

  it('turns keepJobs into removeOnComplete / removeOnFail, and keeps children at least a minute', () => {
    expect(keepSettings(undefined)).toEqual({ removeOnComplete: true, removeOnFail: { age: 86_400 } });
    expect(keepSettings(true)).toEqual({ removeOnComplete: false, removeOnFail: false });
    expect(keepSettings(false)).toEqual({ removeOnComplete: true, removeOnFail: true });
    expect(keepSettings({ completed: 10, failed: { age: 60, count: 5 } })).toEqual({ removeOnComplete: 10, removeOnFail: { age: 60, count: 5 } });
    expect(childRemoveOnComplete(true)).toEqual({ age: 60, count: 1_000 });
    expect(childRemoveOnComplete(false)).toBe(false);
    expect(childRemoveOnComplete(5_000)).toEqual({ count: 5_000 });
    expect(childRemoveOnComplete(10)).toEqual({ count: 1_000 });
    expect(childRemoveOnComplete({ age: 3_600 })).toEqual({ age: 3_600 });
    expect(childRemoveOnComplete({ age: 5, count: 10 })).toEqual({ age: 60, count: 1_000 });
    expect(childRemoveOnComplete({ count: 7 })).toEqual({ count: 1_000 });
  });
});
