import { RoundRobinExecutor } from '@spindle/round-robin';
import { describe, expect, it } from 'vitest';
import { Recorder, emptyRecording, toChromeTrace, toHtmlTimeline } from '../src/index.js';
import { forkJoin } from './programs.js';
import { validateTrace } from './trace-validator.js';

async function recordForkJoin(capacity?: number) {
  const recorder = new Recorder(capacity === undefined ? {} : { capacity }).start();
  const executor = new RoundRobinExecutor({ label: 'trace' });
  await forkJoin(executor, 3, 5);
  await executor.close();
  recorder.stop();
  return recorder.recording();
}

describe('toChromeTrace', () => {
  it('writes a valid trace: named thread rows, one slice per step, spawn flows, ready counters', async () => {
    const recording = await recordForkJoin();
    const trace = toChromeTrace(recording, { pid: 7 });
    expect(validateTrace(trace)).toEqual([]);
    const events = trace.traceEvents;
    expect(events.find((e) => e.ph === 'M' && e.name === 'thread_name')?.args).toEqual({ name: 'main thread' });
    const steps = events.filter((e) => e.ph === 'X' && e.cat === 'step');
    // Parent: start + one step per join + final; children: 5 steps (4 yields + return) each.
    const starts = recording.events.filter((e) => e.kind === 'start' || e.kind === 'resume');
    expect(steps).toHaveLength(starts.length);
    expect(new Set(steps.map((e) => e.name))).toEqual(new Set(['parent', 'child-0', 'child-1', 'child-2']));
    const flows = events.filter((e) => e.ph === 's');
    expect(flows).toHaveLength(4);
    expect(events.some((e) => e.ph === 'C' && e.name === 'ready tasks: trace')).toBe(true);
    expect(trace.otherData.droppedEvents).toBe(0);
    expect(events.every((e) => e.pid === 7)).toBe(true);
  });

  it('says how many events were dropped when the ring wrapped, and stays valid', async () => {
    const recording = await recordForkJoin(12);
    expect(recording.dropped).toBeGreaterThan(0);
    const trace = toChromeTrace(recording);
    expect(validateTrace(trace)).toEqual([]);
    expect(trace.otherData.droppedEvents).toBe(recording.dropped);
    expect(trace.traceEvents.some((e) => e.ph === 'i' && e.name.includes(`${recording.dropped} events dropped`))).toBe(true);
  });

  it('exports an empty recording as a valid, empty trace', () => {
    const trace = toChromeTrace(emptyRecording());
    expect(trace.traceEvents).toEqual([]);
    expect(validateTrace(trace)).toEqual([]);
    expect(JSON.parse(JSON.stringify(trace))).toMatchObject({ traceEvents: [], displayTimeUnit: 'ms' });
  });

  it('ends a step still running at export time at the end of the recording', () => {
    const recording = {
      events: [
        { kind: 'spawn', taskId: 1, executor: 'x', thread: 0, time: 1000, name: undefined, parentId: undefined, body: 'generator g' },
        { kind: 'start', taskId: 1, executor: 'x', thread: 0, time: 1001 },
      ] as const,
      dropped: 0,
      startTime: 1000,
      endTime: 1005,
    };
    const trace = toChromeTrace(recording);
    expect(validateTrace(trace)).toEqual([]);
    const slice = trace.traceEvents.find((e) => e.ph === 'X' && e.cat === 'step');
    expect(slice).toMatchObject({ ts: 1000, dur: 4000, args: { ended: 'open' } });
  });
});

describe('toHtmlTimeline', () => {
  it('is one self-contained page: an SVG with a rectangle per step and no script or external resource', async () => {
    const recording = await recordForkJoin();
    const html = toHtmlTimeline(recording, { title: 'fork <join>' });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).toContain('fork &#60;join&#62;');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const rects = html.match(/<rect class="step"/g) ?? [];
    expect(rects.length).toBeGreaterThan(0);
  });

  it('draws an empty recording as a valid page that says so', () => {
    const html = toHtmlTimeline(emptyRecording());
    expect(html).toContain('No steps recorded.');
    expect(html).not.toContain('<svg');
    expect(html.trim().endsWith('</html>')).toBe(true);
  });
});
