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
        expect(subject).toMatch(/^(spindle\/[a-z0-9-]+|hand-written|native|(@[a-z0-9-]+\/)?[a-z0-9][a-z0-9._-]*)$/);
      }
    }
  });

  // The guarantee the ratios rest on: in every case, every subject does the same work.
  // A subject marked mayFail (a peer that overflows the stack) may throw instead.
  it.each(cases.map((bench) => [bench.name, bench] as const))(
    'case %s: every subject returns the expected checksum',
    async (_case, bench) => {
      try {
        for (const subject of bench.subjects) {
          for (const run of ['first run', 'second run']) {
            let outcome: unknown;
            try {
              outcome = await subject.run();
            } catch (error) {
              if (subject.mayFail !== true) throw error;
              expect(error, `${bench.name} / ${subject.subject}, ${run}: fails with an Error`).toBeInstanceOf(Error);
              continue;
            }
            expect(outcome, `${bench.name} / ${subject.subject}, ${run}`).toBe(bench.expected);
          }
        }
      } finally {
        for (const subject of bench.subjects) await subject.dispose?.();
      }
    },
    // Some peers take seconds a run (Effection spawning 100,000 children); this only catches hangs.
    180_000,
  );
});
