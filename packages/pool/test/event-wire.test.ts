// The pool's wire format shares core's code space: core's events keep core's codes, and the
// pool's own records use only the codes core leaves to executors, so no code means two things.
import { describe, expect, it } from 'vitest';
import { EXECUTOR_CODES, TaskEventCode } from '@spindle/core/events';
import { CoreCode, PoolCode, Wire, chunkHeader, chunkSequence } from '../src/shared/event-wire.js';

const coreCodes = new Set<number>(Object.values(TaskEventCode));

describe('wire codes', () => {
  it.each(Object.entries(PoolCode))('the pool record %s (code %i) is in EXECUTOR_CODES and is no code of core', (_, code) => {
    expect(code).toBeGreaterThanOrEqual(EXECUTOR_CODES.first);
    expect(code).toBeLessThanOrEqual(EXECUTOR_CODES.last);
    expect(coreCodes.has(code)).toBe(false);
  });

  it.each(Object.entries(CoreCode))("core's event %s travels with core's own code", (name, code) => {
    expect(code).toBe(TaskEventCode[name as keyof typeof TaskEventCode]);
  });

  it('no two records share a code', () => {
    const codes = Object.values(Wire);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('chunk headers', () => {
  it.each([-1, 0, 1, 31, 1_000_000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1])('a chunk numbered %i reads back with its number', (seq) => {
    expect(chunkSequence(chunkHeader(seq))).toBe(seq);
  });

  it('a record that is not a chunk header is refused, not read as one', () => {
    expect(() => chunkSequence(5 * 32 + TaskEventCode.Start)).toThrow(/not a chunk header/);
  });
});
