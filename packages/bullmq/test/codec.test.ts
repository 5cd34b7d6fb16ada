import { describe, expect, it } from 'vitest';
import { InvalidTaskError, TaskCancelledError } from '@spindle/core';
import { decodeError, encodeError } from '@spindle/core/kit';
import { decodeValues, encodeValues, releaseEncoded } from '../src/codec.js';
import { TaskTimeoutError, WorkerLostError } from '../src/errors.js';
import { deserialize, serialize } from 'node:v8';

/** What crosses Redis: the encoded error through V8's serializer and back. */
const across = (error: unknown): unknown => decodeError(deserialize(serialize(encodeError(error))));

describe('codec', () => {
  it('carries what structured clone carries, not just JSON', () => {
    const values = [new Map([['a', 1]]), new Set([1, 2]), new Date(5), 10n, new Uint8Array([1, 2]), { nested: [undefined, null, NaN] }];
    expect(decodeValues(encodeValues(values))).toEqual(values);
  });

  it('keeps shared memory shared within this process, wherever it sits in the arguments', () => {
    const buffer = new SharedArrayBuffer(16);
    const view = new Int32Array(buffer, 4, 2);
    const encoded = encodeValues([view, { deep: [buffer] }, new Map([['m', view]]), new Set([view])]);
    expect(encoded.shared.length, 'one buffer, registered once').toBe(1);
    const [v, o, m, s] = decodeValues(encoded) as [Int32Array, { deep: [SharedArrayBuffer] }, Map<string, Int32Array>, Set<Int32Array>];
    Atomics.store(v, 0, 7);
    expect(Atomics.load(view, 0)).toBe(7);
    expect(v.byteOffset).toBe(4);
    expect(v.length).toBe(2);
    expect(o.deep[0]).toBe(buffer);
    expect(m.get('m')?.buffer).toBe(buffer);
    expect([...s][0]?.buffer).toBe(buffer);
    releaseEncoded(encoded);
    expect(() => decodeValues(encoded)).toThrow(InvalidTaskError);
  });

  it("rebuilds errors through the kit's codec: standard classes, custom names, and Spindle's and this package's classes with their fields", () => {
    const range = across(new RangeError('out of range')) as RangeError;
    expect(range).toBeInstanceOf(RangeError);
    expect(range.message).toBe('out of range');
    expect(range.stack).toContain('codec.test');
    class ParseError extends Error {
      override name = 'ParseError';
    }
    expect((across(new ParseError('bad')) as Error).name).toBe('ParseError');
    const invalid = across(new InvalidTaskError('unknown-reference', 'no such export')) as InvalidTaskError;
    expect(invalid).toBeInstanceOf(InvalidTaskError);
    expect(invalid.code).toBe('unknown-reference');
    const cancelled = across(new TaskCancelledError(3, 'three', 'why')) as TaskCancelledError;
    expect(cancelled).toBeInstanceOf(TaskCancelledError);
    expect(cancelled.taskId).toBe(3);
    const timeout = across(new TaskTimeoutError(150));
    expect(timeout, 'branded: revived as its own class').toBeInstanceOf(TaskTimeoutError);
    expect((timeout as TaskTimeoutError).timeout).toBe(150);
    const lost = across(new WorkerLostError('j1', 'stalled'));
    expect(lost).toBeInstanceOf(WorkerLostError);
    expect((lost as WorkerLostError).jobId).toBe('j1');
    expect((lost as WorkerLostError).message).toBe('job j1 failed: stalled (its worker process died or stalled)');
    expect(across('a string')).toBe('a string');
  });
});
