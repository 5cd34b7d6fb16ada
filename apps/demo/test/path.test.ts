import { buildTimeline } from '@spindle/diagnostics';
import { describe, expect, it } from 'vitest';
import { measureStage } from '../src/path/measure.js';
import { costOf, crunch } from '../src/path/pool-tasks.mjs';
import type { StageRun, StageSizes } from '../src/path/stage.js';
import { findStage, stages } from '../src/path/stages.js';
import { whatRanWhen } from '../src/path/what-ran-when.js';

// Small sizes: the stages' results and the order of their events are asserted, never times.
const sizes: StageSizes = { delayMs: 30, tasks: 12, unit: 20_000, threads: 2, blockMs: 1500 };
const noProgress = (): void => undefined;
const run = (key: string): Promise<StageRun> => measureStage(findStage(key), sizes, noProgress);

describe('the path, stage by stage', () => {
  it('lists eight stages in order, findable by number and by name', () => {
    expect(stages.map((stage) => stage.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(findStage('5')).toBe(findStage('generators'));
    expect(() => findStage('nine')).toThrow(/choose one of: 1 synchronous/);
  });

  it('synchronous: one task, one step holding the thread for every fetch in turn', async () => {
    const result = await run('synchronous');
    expect(result.outcome.result).toEqual([3, 1, 4]);
    const slices = buildTimeline(result.recording).slices;
    expect(slices).toHaveLength(1);
    expect(result.outcome.notes.slice(0, 3).map((note) => note.slice(0, 7))).toEqual(['fetch 1', 'fetch 2', 'fetch 3']);
  });

  it('threads: one step per fetch, each on a thread of its own', async () => {
    const result = await run('threads');
    expect(result.outcome.result).toEqual([3, 1, 4]);
    const slices = buildTimeline(result.recording).slices;
    expect(slices).toHaveLength(3);
    expect(new Set(slices.map((slice) => slice.thread)).size).toBe(3);
    expect(slices.every((slice) => slice.thread !== 0)).toBe(true);
  });

  it.each(['state-machines', 'closures', 'generators', 'async'])('%s: every request goes out before the first answer', async (key) => {
    const result = await run(key);
    expect(result.outcome.result).toEqual([3, 1, 4]);
    const notes = result.outcome.notes;
    const requests = notes.flatMap((note, at) => (/request number \d/.test(note) ? [at] : []));
    const answers = notes.flatMap((note, at) => (/received number \d/.test(note) ? [at] : []));
    expect(requests).toHaveLength(3);
    expect(answers).toHaveLength(3);
    expect(Math.max(...requests)).toBeLessThan(Math.min(...answers));
    // All on the main thread, four tasks (get_numbers and three fetches).
    const slices = buildTimeline(result.recording).slices;
    expect(new Set(slices.map((slice) => slice.taskId)).size).toBe(4);
    expect(new Set(slices.map((slice) => slice.thread))).toEqual(new Set([0]));
  });

  it('pool: the checksum of every imbalanced task, computed on worker threads', async () => {
    const result = await run('pool');
    let expected = 0;
    for (let index = 0; index < sizes.tasks; index++) expected += crunch(undefined as never, costOf(index, sizes.unit), index + 1);
    expect(result.outcome.result).toBe(expected);
    const timeline = buildTimeline(result.recording);
    // The root and every child stepped, on worker threads only.
    expect(new Set(timeline.slices.map((slice) => slice.taskId)).size).toBe(sizes.tasks + 1);
    expect(timeline.slices.every((slice) => slice.thread !== 0)).toBe(true);
    // Two counts of stealing, each saying what it counts: steal operations (pool.stats), each
    // taking a batch, and tasks moved (one steal event each), so never fewer of the latter.
    const operations = Number(/^(\d+) steal operation\(s\) \(pool\.stats\.steals: each takes a batch/m.exec(result.outcome.notes.join('\n'))?.[1]);
    const moved = Number(/^(\d+) task\(s\) moved by steals \(steal events: one per task moved/m.exec(whatRanWhen(result.recording).join('\n'))?.[1]);
    expect(Number.isInteger(operations) && Number.isInteger(moved)).toBe(true);
    expect(moved).toBeGreaterThanOrEqual(operations);
  });

  it('mistakes: the blocked loop with the blocking function on its stack, and the wait cycle by name', async () => {
    const result = await run('mistakes');
    const findings = result.outcome.findings ?? [];
    const blocked = findings.find((finding) => finding.kind === 'blocked-event-loop');
    const cycle = findings.find((finding) => finding.kind === 'wait-cycle');
    expect(blocked?.stack.map((frame) => frame.functionName)).toContain('readConfigSync');
    expect(cycle?.cycle.map((task) => task.name).sort()).toEqual(['invoice sent', 'order shipped']);
  });
});
