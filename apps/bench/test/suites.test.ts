import { describe, expect, it } from 'vitest';
import { findSuite, suites } from '../src/suites/index.js';

const options = { quick: true, threads: 1 };

describe('suite registry', () => {
  it('finds suites by name and names the known ones when asked for an unknown one', () => {
    expect(findSuite('round-robin-step').name).toBe('round-robin-step');
    expect(() => findSuite('nope')).toThrow(/known suites: round-robin-step/);
  });

  it('has unique suite names', () => {
    expect(new Set(suites.map((suite) => suite.name)).size).toBe(suites.length);
  });
});

describe.each(suites.map((suite) => [suite.name, suite] as const))('suite %s', (_name, suite) => {
  const cases = suite.cases(options);

  it('has cases with unique names, each with its baseline among its subjects', () => {
    expect(cases.length).toBeGreaterThan(0);
    expect(new Set(cases.map((bench) => bench.name)).size).toBe(cases.length);
    for (const bench of cases) {
      expect(bench.subjects.map((subject) => subject.subject)).toContain(bench.baseline);
      expect(new Set(bench.subjects.map((subject) => subject.subject)).size).toBe(bench.subjects.length);
    }
  });

  it('names subjects spindle/<package>, a baseline, or a peer package', () => {
    for (const bench of cases) {
      for (const { subject } of bench.subjects) {
        expect(subject).toMatch(/^(spindle\/[a-z-]+|hand-written|native|(@[a-z0-9-]+\/)?[a-z0-9][a-z0-9._-]*)$/);
      }
    }
  });

  // The guarantee the ratios rest on: in every case, every subject does the same work.
  it.each(cases.map((bench) => [bench.name, bench] as const))('case %s: every subject returns the expected checksum', async (_case, bench) => {
    try {
      for (const subject of bench.subjects) {
        expect(await subject.run(), `${bench.name} / ${subject.subject}`).toBe(bench.expected);
        expect(await subject.run(), `${bench.name} / ${subject.subject}, second run`).toBe(bench.expected);
      }
    } finally {
      for (const subject of bench.subjects) await subject.dispose?.();
    }
  });
});
