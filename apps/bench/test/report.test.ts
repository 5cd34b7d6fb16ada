import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineFacts, packageVersions } from '../src/machine.js';
import { jsonReport, writeJsonReport } from '../src/report/json.js';
import { formatFigure, formatRatio, markdownReport } from '../src/report/markdown.js';
import type { CaseResult } from '../src/runner.js';
import type { Suite } from '../src/suite.js';

const suite: Suite = { name: 'demo-suite', description: 'what it measures', packages: ['@spindle/core'], cases: () => [] };
const result: CaseResult = {
  suite,
  bench: {
    name: 'yield/x',
    description: 'd',
    opsPerRun: 10,
    op: 'step',
    expected: 10,
    baseline: 'hand-written',
    subjects: [
      { subject: 'hand-written', runs: 'a | loop', run: () => 10 },
      { subject: 'spindle/round-robin', runs: 'spawn', run: () => 10 },
    ],
  },
  rows: [
    { suite: 'demo-suite', case: 'yield/x', subject: 'hand-written', metric: 'time per step', median: 4, unit: 'ns', samples: 100 },
    { suite: 'demo-suite', case: 'yield/x', subject: 'spindle/round-robin', metric: 'time per step', median: 10, unit: 'ns', samples: 50 },
  ],
  ratios: [{ suite: 'demo-suite', case: 'yield/x', subject: 'spindle/round-robin', baseline: 'hand-written', ratio: 2.5 }],
};

describe('markdown report', () => {
  it('prints a case\'s extra figures in a second table, with their ratio to the reference subject', () => {
    const row = { suite: 'demo-suite', case: 'yield/x', unit: 'tasks/s', samples: 3 };
    const withFigures: CaseResult = {
      ...result,
      figures: [
        { ...row, subject: 'hand-written', metric: 'throughput', median: 2000 },
        { ...row, subject: 'spindle/round-robin', metric: 'throughput', median: 1000 },
      ],
      ratios: [
        ...result.ratios,
        { suite: 'demo-suite', case: 'yield/x', subject: 'spindle/round-robin', baseline: 'hand-written', ratio: 0.5, metric: 'throughput' },
      ],
    };
    const text = markdownReport([withFigures], machineFacts(), false);
    expect(text).toContain('| case | subject | figure | value | ÷ reference | over |');
    expect(text).toContain('| yield/x | hand-written | throughput | 2,000 tasks/s | 1.00x (hand-written) | 3 |');
    expect(text).toContain('|  | spindle/round-robin | throughput | 1,000 tasks/s | 0.50x | 3 |');
    const json = jsonReport([withFigures], {
      generatedAt: new Date(0),
      commit: undefined,
      dirty: undefined,
      quick: true,
      threads: 2,
      machine: machineFacts(),
      packages: {},
    });
    expect(json.rows.map((entry) => entry.metric)).toEqual(['time per step', 'time per step', 'throughput', 'throughput']);
  });

  it('prints one table per suite with medians, ratios and sample counts', () => {
    const text = markdownReport([result], machineFacts(), false);
    expect(text).toContain('### demo-suite');
    expect(text).toContain('| case | subject | runs | median | ratio | samples |');
    expect(text).toContain('| yield/x | hand-written (baseline) | a \\| loop | 4.00 ns/step | 1.00x | 100 |');
    expect(text).toContain('|  | spindle/round-robin | spawn | 10.0 ns/step | 2.50x | 50 |');
  });

  it('adds a column over the focus subject and prints failed subjects with their error', () => {
    const focused: CaseResult = {
      ...result,
      bench: {
        ...result.bench,
        focus: 'spindle/round-robin',
        subjects: [...result.bench.subjects, { subject: 'co', runs: 'co()', run: () => 10, mayFail: true }, { subject: 'effect', runs: 'gen', run: () => 10 }],
      },
      rows: [
        ...result.rows,
        { suite: 'demo-suite', case: 'yield/x', subject: 'co', metric: 'time per step', median: Number.NaN, unit: 'ns', samples: 0, failed: 'RangeError: too deep' },
        { suite: 'demo-suite', case: 'yield/x', subject: 'effect', metric: 'time per step', median: 30, unit: 'ns', samples: 20 },
      ],
      ratios: [
        ...result.ratios,
        { suite: 'demo-suite', case: 'yield/x', subject: 'effect', baseline: 'hand-written', ratio: 7.5 },
        { suite: 'demo-suite', case: 'yield/x', subject: 'effect', baseline: 'spindle/round-robin', ratio: 3 },
      ],
    };
    const text = markdownReport([focused], machineFacts(), false);
    expect(text).toContain('| case | subject | runs | median | ratio | ÷ focus | samples |');
    expect(text).toContain('|  | spindle/round-robin (focus) | spawn | 10.0 ns/step | 2.50x | 1.00x | 50 |');
    expect(text).toContain('|  | co | co() | failed: RangeError: too deep | — | — | 0 |');
    expect(text).toContain('|  | effect | gen | 30.0 ns/step | 7.50x | 3.00x | 20 |');
  });

  it('says how an isolated run was taken, and prints each interval after its ratio', () => {
    const isolated: CaseResult = {
      ...result,
      ratios: [{ suite: 'demo-suite', case: 'yield/x', subject: 'spindle/round-robin', baseline: 'hand-written', ratio: 1.0123, interval: { low: 0.9951, high: 1.0298, processes: 10 } }],
    };
    const text = markdownReport([isolated], machineFacts(), false, 10);
    expect(text).toContain('Every subject measured alone in fresh processes, 10 per subject');
    expect(text).toContain('| 10.0 ns/step | 1.01x (0.995–1.030) | 50 |');
    expect(markdownReport([result], machineFacts(), false)).not.toContain('fresh processes');
    const json = jsonReport([isolated], {
      generatedAt: new Date(0),
      commit: undefined,
      dirty: undefined,
      quick: false,
      threads: 2,
      cases: ['yield/'],
      isolate: 10,
      machine: machineFacts(),
      packages: {},
    });
    expect(json.options).toMatchObject({ cases: ['yield/'], isolate: 10 });
    expect(json.ratios[0]?.interval).toEqual({ low: 0.9951, high: 1.0298, processes: 10 });
  });

  it('formats figures to about three significant digits', () => {
    expect(formatFigure(0.51234)).toBe('0.512');
    expect(formatFigure(2.8)).toBe('2.80');
    expect(formatFigure(41.06)).toBe('41.1');
    expect(formatFigure(1234.5)).toBe('1,235');
    expect(formatRatio(14.629)).toBe('14.63x');
  });
});

describe('json report', () => {
  it('holds machine facts, package versions, the rows and the ratios', () => {
    const machine = machineFacts();
    const packages = packageVersions(['@spindle/core', 'tinybench']);
    const document = jsonReport([result], { generatedAt: new Date(0), commit: undefined, dirty: undefined, quick: true, threads: 2, machine, packages });
    expect(document).toMatchObject({
      schema: 1,
      generatedAt: '1970-01-01T00:00:00.000Z',
      options: { quick: true, threads: 2, suites: ['demo-suite'] },
      rows: result.rows,
      ratios: result.ratios,
    });
    expect(machine.cores).toBeGreaterThan(0);
    expect(machine.node).toBe(process.version);
    expect(packages.tinybench).toBe('5.1.0');
    expect(packages['@spindle/core']).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('reports a package it cannot find as unresolved', () => {
    expect(packageVersions(['@spindle/no-such-package'])).toEqual({ '@spindle/no-such-package': 'unresolved' });
  });

  it('writes the file atomically, leaving no temporary file behind', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'spindle-bench-'));
    const file = path.join(dir, 'nested', 'latest.json');
    const document = jsonReport([result], {
      generatedAt: new Date(0),
      commit: 'abc',
      dirty: false,
      quick: false,
      threads: 1,
      machine: machineFacts(),
      packages: {},
    });
    writeJsonReport(file, document);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(document)));
    expect(readdirSync(path.dirname(file))).toEqual(['latest.json']);
  });
});
