import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../src/event-log.js';
import { runVariant } from '../src/run-variant.js';
import type { SlowSourceOptions } from '../src/slow-source.js';
import { variants } from '../src/variants.js';

// Short, distinct delays: the order they fire in is fixed (2, 3, 1), the time they take is
// never asserted. Overlap is shown by ordering: every request goes out before any answer.
const source: SlowSourceOptions = { values: [3, 1, 4], delaysMs: [30, 10, 20] };

const notes = (entries: readonly LogEntry[]): string[] =>
  entries.filter((entry) => entry.kind === 'note').map((entry) => entry.text);

describe.each(variants.map((variant) => [variant.title, variant] as const))('get_numbers as %s', (_title, variant) => {
  it('returns the three numbers in request order', async () => {
    const run = await runVariant(variant, source);
    expect(run.numbers).toEqual([3, 1, 4]);
  });

  it('sends all three requests before the first answer arrives', async () => {
    const run = await runVariant(variant, source);
    const lines = notes(run.entries);
    const requests = lines.map((line, at) => (/request number \d/.test(line) ? at : -1)).filter((at) => at >= 0);
    const answers = lines.map((line, at) => (/received number \d/.test(line) ? at : -1)).filter((at) => at >= 0);
    expect(requests).toHaveLength(3);
    expect(answers).toHaveLength(3);
    expect(Math.max(...requests)).toBeLessThan(Math.min(...answers));
    // Requests go out in spawn order; answers arrive in the order the source delivers them.
    expect(lines.filter((line) => line.includes('request number'))).toEqual([
      'step 1: request number 1',
      'step 1: request number 2',
      'step 1: request number 3',
    ]);
    expect(lines.filter((line) => line.includes('received number')).map((line) => line.slice(-12))).toEqual([
      'number 2 = 1',
      'number 3 = 4',
      'number 1 = 3',
    ]);
  });

  it('records each task in a valid lifecycle order, the parent settling last', async () => {
    const run = await runVariant(variant, source);
    const ids = [...new Set(run.entries.map((entry) => entry.taskId))];
    expect(ids).toHaveLength(4);
    for (const id of ids) {
      const kinds = run.entries.filter((entry) => entry.taskId === id && entry.kind !== 'note').map((entry) => entry.kind);
      expect(kinds[0]).toBe('spawn');
      expect(kinds[1]).toBe('start');
      expect(kinds.at(-1)).toBe('settle');
      expect(kinds.filter((kind) => kind === 'settle')).toHaveLength(1);
    }
    const settles = run.entries.filter((entry) => entry.kind === 'settle');
    expect(settles.at(-1)?.taskId).toBe(run.entries[0]?.taskId);
    expect(settles.every((entry) => entry.text === 'fulfilled')).toBe(true);
  });
});
