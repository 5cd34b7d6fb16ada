import { SLICE_COLORS } from '@spindle/diagnostics';
import { describe, expect, it } from 'vitest';
import { htmlReport } from '../src/path/html-report.js';
import { runPath } from '../src/path/run-path.js';
import type { StageSizes } from '../src/path/stage.js';
import { findStage } from '../src/path/stages.js';
import { countPixels, screenshot } from './chromium.js';

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
});
