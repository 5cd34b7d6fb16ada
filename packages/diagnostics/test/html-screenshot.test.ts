import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TaskReference } from '@spindle/core';
import { PoolExecutor } from '@spindle/pool';
import { describe, expect, it } from 'vitest';
import { Recorder, SLICE_COLORS, emptyRecording, toHtmlTimeline } from '../src/index.js';
import { countPixels, screenshot } from './chromium.js';
import { sliceArea } from './slice-area.js';

describe('the HTML timeline in headless Chromium', () => {
  it('draws task slices', async () => {
    const { fibRef } = (await import(new URL('./fixtures/pool-tasks.mjs', import.meta.url).href)) as {
      fibRef: TaskReference<[n: number], number>;
    };
    const pool = new PoolExecutor({ threads: 2, label: 'pool' });
    // Warm: worker start-up is not what the picture is about.
    expect(await pool.spawn(fibRef, [15])).toBe(610);
    const recorder = new Recorder().start();
    expect(await pool.spawn(fibRef, [21])).toBe(10946);
    await pool.close();
    recorder.stop();
    const html = toHtmlTimeline(recorder.recording(), { title: 'fib(21) on @spindle/pool, 2 worker threads', width: 1200, maxTaskRows: 24 });
    // Tall enough for the whole page: every drawn step is on the screenshot.
    const shot = await screenshot(html, 1240, 900);
    try {
      // How much the recording covers depends on how busy the machine is, so the
      // pixels are checked against the rectangles the page asks for: at least 20 px
      // of slices, and Chromium paints at least 80% of their whole pixels in the slice
      // colours (labels, arrows and markers cover the rest).
      const asked = sliceArea(html);
      expect(asked.rects).toBeGreaterThan(0);
      expect(asked.pixels).toBeGreaterThanOrEqual(20 * 20);
      expect(countPixels(shot.png, SLICE_COLORS)).toBeGreaterThanOrEqual(0.8 * asked.pixels);
      if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync(shot.file, fileURLToPath(new URL('../docs/timeline.png', import.meta.url)));
    } finally {
      shot.cleanup();
    }
  });

  it('draws no slice for an empty recording', async () => {
    const shot = await screenshot(toHtmlTimeline(emptyRecording()), 800, 200);
    try {
      expect(shot.png.width).toBe(800);
      expect(countPixels(shot.png, SLICE_COLORS)).toBe(0);
    } finally {
      shot.cleanup();
    }
  });
});
