import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineFacts } from '../src/machine.js';
import { compactNumberArrays } from '../src/report/json.js';
import { writeSiblingReports } from '../src/report/sibling-files.js';
import { svgChart } from '../src/report/svg-chart.js';
import type { Comparison } from '../src/results.js';

const ratios: Comparison[] = [
  { suite: 's', case: 'fast', subject: 'spindle/x', baseline: 'native', ratio: 0.5 },
  { suite: 's', case: 'slow', subject: 'co', baseline: 'native', ratio: 40 },
  { suite: 's', case: 'slow', subject: 'co', baseline: 'native', ratio: 2, metric: 'throughput' },
];

describe('the ratio chart', () => {
  it('draws one bar per time ratio, on decades that hold them all, and leaves out extra figures', () => {
    const svg = svgChart(ratios, machineFacts(), false);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<rect x=/g)).toHaveLength(2);
    expect(svg).toContain('0.50x');
    expect(svg).toContain('40.00x');
    expect(svg).not.toContain('2.00x');
    // 40× needs the 100× decade; the scale always reaches 0.1×.
    expect(svg).toContain('>100×<');
    expect(svg).toContain('>0.1×<');
    expect(svg).not.toMatch(/<script|href=/);
  });

  it('draws an empty, valid chart for a run without ratios', () => {
    const svg = svgChart([], machineFacts(), true);
    expect(svg).toContain('quick run');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});

describe('files beside the JSON', () => {
  it('writes the Markdown with its command and the SVG, nothing temporary left', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'spindle-bench-'));
    const files = writeSiblingReports(path.join(dir, 'latest.json'), { markdown: '| a |', command: 'pnpm bench -- --quick', ratios, machine: machineFacts(), quick: true });
    expect(files.map((file) => path.basename(file))).toEqual(['latest.md', 'latest.svg']);
    expect(readFileSync(path.join(dir, 'latest.md'), 'utf8')).toMatch(/^Made by `pnpm bench -- --quick` at .*\n\n\| a \|/);
    expect(readdirSync(dir).sort()).toEqual(['latest.md', 'latest.svg']);
  });

  it('puts arrays of samples on one line in the JSON', () => {
    const json = JSON.stringify({ values: [1.5, 2, 3e-7], name: ['a', 'b'] }, null, 2);
    const compact = compactNumberArrays(json);
    expect(compact).toContain('"values": [1.5, 2, 3e-7]');
    expect(compact).toContain('"a",\n');
    expect(JSON.parse(compact)).toEqual(JSON.parse(json));
  });
});
