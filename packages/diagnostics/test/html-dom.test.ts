import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskContext, TaskEvent } from '@spindle/core';
import { RoundRobinExecutor } from '@spindle/round-robin';
import { describe, expect, it } from 'vitest';
import { Recorder, toHtmlTimeline } from '../src/index.js';
import type { BlockedLoopFinding, Recording } from '../src/index.js';
import { measureTimelines } from './chromium.js';
import type { Box, MeasuredTimeline } from './chromium.js';
import { expectedWaits } from './expected-waits.js';

/** The pixel `time` is drawn at, by the scale the SVG says it used. */
const xOf = (svg: MeasuredTimeline, time: number): number => svg.x0 + ((time - svg.t0) / (svg.t1 - svg.t0)) * (svg.x1 - svg.x0);
const overlaps = (a: Box, b: Box): boolean => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** Pixels of `[from, to]` that no box covers. */
function uncovered(boxes: readonly Box[], from: number, to: number): number {
  let missing = 0;
  let at = from;
  for (const box of [...boxes].sort((a, b) => a.left - b.left)) {
    if (box.left > at) missing += Math.min(box.left, to) - at;
    at = Math.max(at, box.right);
    if (at >= to) break;
  }
  return missing + Math.max(0, to - at);
}

describe('the HTML timeline as Chromium lays it out', () => {
  it('draws every time a task was parked as a span of that extent in its row', async () => {
    async function fetchOne(_ctx: TaskContext, ms: number): Promise<number> {
      await sleep(ms);
      return ms;
    }
    async function fetchAll(ctx: TaskContext): Promise<number[]> {
      return Promise.all([60, 20, 40].map((ms) => ctx.spawn(fetchOne, [ms], { name: `fetch ${String(ms)} ms` })));
    }
    const recorder = new Recorder().start();
    const executor = new RoundRobinExecutor({ label: 'dom' });
    expect(await executor.spawn(fetchAll, [], { name: 'fetchAll' })).toEqual([60, 20, 40]);
    await executor.close();
    recorder.stop();
    const recording = recorder.recording();
    // Read from the raw events, not by the code that draws: a span it fails to draw is caught.
    const expected = expectedWaits(recording.events, recording.endTime);
    expect(expected).toHaveLength(4);
    const [svg] = await measureTimelines(toHtmlTimeline(recording, { width: 1000 }), 1040);
    if (svg === undefined) throw new Error('no timeline drawn');
    expect(svg.tasks).toHaveLength(4);
    for (const wait of expected) {
      const row = svg.tasks.find((task) => task.key === `${wait.executor}#${String(wait.taskId)}`);
      expect(row, `row of task ${String(wait.taskId)}`).toBeDefined();
      const [from, to] = [xOf(svg, wait.start), xOf(svg, wait.end)];
      // Covered end to end (steps, drawn over it, may hide a pixel at either end)…
      expect(uncovered(row?.parked ?? [], from + 1.5, to - 1.5)).toBe(0);
      // …and no further than the wait itself.
      for (const box of row?.parked ?? []) {
        expect(box.left).toBeGreaterThanOrEqual(from - 1);
        expect(box.right).toBeLessThanOrEqual(to + 1.5);
      }
    }
    // The three fetches wait side by side: their spans overlap on the screen.
    const fetches = svg.tasks.filter((task) => task.key !== svg.tasks[0]?.key).map((task) => task.parked[0]);
    expect(Math.max(...fetches.map((box) => box?.left ?? Infinity))).toBeLessThan(Math.min(...fetches.map((box) => box?.right ?? -Infinity)));
    // A step of microseconds still shows: at least 2 px wide.
    expect(svg.tasks.every((task) => task.steps.length > 0 && task.steps.every((box) => box.right - box.left >= 1.9))).toBe(true);
  });

  it('cuts no label, draws no steal over text, and draws a blocked loop with its label inside', async () => {
    const x = { executor: 'a pool with a rather long label', thread: 1 } as const;
    const events: TaskEvent[] = [{ ...x, kind: 'spawn', taskId: 1, time: 0, name: 'root', parentId: undefined, body: 'generator root' }, { ...x, kind: 'start', taskId: 1, time: 1 }];
    for (let id = 2; id < 12; id++) {
      const name = id === 2 ? 'a task whose name is far too long to fit in any reasonable gutter at all' : `crunch ${String(id)}`;
      events.push({ ...x, kind: 'spawn', taskId: id, time: 2, name, parentId: 1, body: 'ref crunch' });
    }
    events.push({ ...x, kind: 'suspend', taskId: 1, time: 3, reason: 'wait' });
    for (let id = 2; id < 12; id++) {
      const thread = id % 2 === 0 ? 1 : 2;
      if (thread === 2) events.push({ kind: 'steal', taskId: id, executor: x.executor, thread: 2, time: 4 + id, from: 0, to: 1 });
      events.push({ kind: 'start', taskId: id, executor: x.executor, thread, time: 10 * id });
      events.push({ kind: 'settle', taskId: id, executor: x.executor, thread, time: 10 * id + 8, state: id === 11 ? 'cancelled' : 'fulfilled', error: id === 11 ? 'TaskCancelledError' : undefined });
    }
    events.push({ ...x, kind: 'resume', taskId: 1, time: 130 }, { ...x, kind: 'settle', taskId: 1, time: 131, state: 'fulfilled', error: undefined });
    const recording: Recording = { events: events.sort((a, b) => a.time - b.time), dropped: 0, startTime: 0, endTime: 131 };
    const blocked: BlockedLoopFinding = { kind: 'blocked-event-loop', message: 'blocked', time: 100, since: 20, blockedMs: 30, thresholdMs: 25, stack: [{ functionName: 'readConfigSync', url: 'file:///app.js', line: 1, column: 1 }] };
    const [svg] = await measureTimelines(toHtmlTimeline(recording, { width: 900, findings: [blocked] }), 940);
    if (svg === undefined) throw new Error('no timeline drawn');
    const labels = svg.texts.filter((text) => text.cls.startsWith('label'));
    expect(labels.map((label) => label.text)).toContain('main thread');
    expect(labels.some((label) => label.text.startsWith('a task whose name') && label.text.endsWith('…'))).toBe(true);
    for (const label of labels) expect(label.right, label.text).toBeLessThanOrEqual(svg.x0 - 2);
    for (const text of svg.texts) {
      expect(text.left, text.text).toBeGreaterThanOrEqual(0);
      expect(text.right, text.text).toBeLessThanOrEqual(svg.width);
    }
    expect(svg.steals).toHaveLength(5);
    for (const steal of svg.steals) for (const text of svg.texts) expect(overlaps(steal, text), `steal over "${text.text}"`).toBe(false);
    expect(svg.blocked).toHaveLength(1);
    const band = svg.blocked[0];
    expect(band?.left).toBeCloseTo(xOf(svg, 20), 0);
    expect(band?.right).toBeCloseTo(xOf(svg, 100), 0);
    const alarm = svg.texts.find((text) => text.cls === 'alarm');
    expect(alarm?.text).toMatch(/^event loop blocked ≈ 80\.00 ms/);
    expect((alarm?.right ?? Infinity) <= (band?.right ?? 0)).toBe(true);
    expect(svg.texts.find((text) => text.cls === 'outcome')?.text).toBe('cancelled');
  });
});
