import { SLICE_COLORS } from '@spindle/diagnostics';
import { describe, expect, it } from 'vitest';
import { htmlReport } from '../src/path/html-report.js';
import { runPath } from '../src/path/run-path.js';
import type { StageSizes } from '../src/path/stage.js';
import { findStage } from '../src/path/stages.js';
import { countPixels, screenshot } from './chromium.js';
import { drawnTimelines, parkedSpans } from './drawn-timelines.js';
import type { DrawnSpan } from './drawn-timelines.js';

const sizes: StageSizes = { delayMs: 40, tasks: 8, unit: 20_000, threads: 2, blockMs: 1500 };

describe('the HTML report', () => {
  it('holds a summary row and a timeline per stage, and draws them in headless Chromium', async () => {
    const runs = await runPath(['synchronous', 'threads', 'generators'].map(findStage), sizes);
    const html = htmlReport(runs, 'test machine');
    // Self-contained: no script, nothing fetched.
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html.match(/<tr><td>\d<\/td>/g)).toHaveLength(3);
    expect(html.match(/<section id="stage-\d">/g)).toEqual(['<section id="stage-1">', '<section id="stage-2">', '<section id="stage-5">']);
    expect(html.match(/<svg/g)).toHaveLength(3);
    const png = await screenshot(html, 1200, 1600);
    // The synchronous stage alone is one slice across the whole row (~1000 × 20 px).
    expect(countPixels(png, SLICE_COLORS)).toBeGreaterThan(10_000);
  });

  it('draws every time a task waited as a span of that extent, and stage 8\'s blocked loop on its timeline', async () => {
    const runs = await runPath(['state-machines', 'closures', 'generators', 'async', 'mistakes'].map(findStage), { ...sizes, blockMs: 600 });
    const timelines = drawnTimelines(htmlReport(runs, 'test machine'));
    // Stage 8 ran two executors one after another: one timeline each.
    expect(timelines).toHaveLength(6);
    const covered = (spans: readonly DrawnSpan[], from: number, to: number): boolean => {
      let at = from;
      for (const span of [...spans].sort((a, b) => a.x - b.x)) if (span.x <= at + 0.01) at = Math.max(at, span.x + span.width);
      return at >= to;
    };
    for (const run of runs) {
      const waits = parkedSpans(run.recording.events);
      // get_numbers and its three fetches each wait (the two tasks of the wait cycle too).
      expect(new Set(waits.map((wait) => wait.key)).size, run.stage.name).toBeGreaterThanOrEqual(run.stage.name === 'mistakes' ? 3 : 4);
      for (const wait of waits) {
        const timeline = timelines.find((drawn) => drawn.parked.has(wait.key));
        const drawn = timeline?.parked.get(wait.key) ?? [];
        const x = timeline?.x ?? ((): number => Number.NaN);
        expect(covered(drawn, x(wait.start) + 1.5, x(wait.end) - 1.5), `${wait.key} waited from ${String(wait.start)} to ${String(wait.end)}`).toBe(true);
        // Nothing drawn beyond: each span begins where a wait of that task began and ends
        // where one ended (spans closer than half a pixel are drawn as one, at least 1 px wide).
        const mine = waits.filter((other) => other.key === wait.key);
        const near = (value: number, targets: readonly number[]): boolean => targets.some((target) => Math.abs(value - target) <= 1);
        for (const span of drawn) {
          expect(near(span.x, mine.map((other) => x(other.start)))).toBe(true);
          expect(near(span.x + span.width, mine.map((other) => Math.max(x(other.end), x(other.start) + 1)))).toBe(true);
        }
      }
    }
    const mistakes = runs.find((run) => run.stage.name === 'mistakes');
    const blocked = mistakes?.outcome.findings?.find((finding) => finding.kind === 'blocked-event-loop');
    // The watchdog may miss on a loaded machine (the stage says so); when it caught the loop, the band is drawn.
    if (blocked !== undefined) {
      const timeline = timelines.find((drawn) => drawn.blocked.length > 0);
      const band = timeline?.blocked[0];
      expect(band?.x).toBeCloseTo(timeline?.x(blocked.since) ?? Number.NaN, 0);
      expect((band?.x ?? 0) + (band?.width ?? 0)).toBeCloseTo(timeline?.x(blocked.time) ?? Number.NaN, 0);
      expect([...(timeline?.parked.keys() ?? [])].some((key) => key.startsWith('round-robin (sync over async)#'))).toBe(true);
    }
  });
});
