import { describe, expect, it } from 'vitest';
import { compare, median, runCase } from '../src/runner.js';
import type { BenchCase } from '../src/suite.js';
import { fakeSuite, sum, sumCase, tiny } from './fake-case.js';

const fakeCase: BenchCase = {
  ...sumCase,
  subjects: [
    { subject: 'hand-written', runs: 'a for loop', run: () => sum(1000) },
    { subject: 'spindle/fake', runs: 'a for loop, awaited', run: () => Promise.resolve(sum(1000)) },
  ],
};

describe('runCase', () => {
  it('measures every subject and returns one row per subject in the results shape', async () => {
    const result = await runCase(fakeSuite(fakeCase), fakeCase, tiny);
    expect(result.rows.map((row) => row.subject)).toEqual(['hand-written', 'spindle/fake']);
    for (const row of result.rows) {
      expect(Object.keys(row).sort()).toEqual(['case', 'median', 'metric', 'samples', 'subject', 'suite', 'unit', 'values']);
      expect(row).toMatchObject({ suite: 'fake', case: 'sum', metric: 'time per add', unit: 'ns' });
      expect(row.median).toBeGreaterThan(0);
      // At least `iterations` samples in each of the two rounds, every one of them kept.
      expect(row.samples).toBeGreaterThanOrEqual(6);
      expect(row.values).toHaveLength(row.samples);
      expect(row.values?.every((value) => value > 0)).toBe(true);
    }
    expect(result.ratios).toHaveLength(1);
    expect(result.ratios[0]).toMatchObject({ subject: 'spindle/fake', baseline: 'hand-written' });
  });

  it('refuses to measure a subject that does different work', async () => {
    const cheat: BenchCase = {
      ...fakeCase,
      subjects: [...fakeCase.subjects, { subject: 'spindle/cheat', runs: 'half the loop', run: () => sum(500) }],
    };
    await expect(runCase(fakeSuite(cheat), cheat, tiny)).rejects.toThrow(/spindle\/cheat did different work/);
  });

  it('reports a subject marked mayFail that throws as failed, measures the others, and leaves it out of the ratios', async () => {
    const overflow: BenchCase = {
      ...fakeCase,
      subjects: [
        ...fakeCase.subjects,
        {
          subject: 'peer',
          runs: 'overflows',
          mayFail: true,
          run: () => {
            throw new RangeError('Maximum call stack size exceeded');
          },
        },
      ],
    };
    const result = await runCase(fakeSuite(overflow), overflow, tiny);
    const failed = result.rows.find((row) => row.subject === 'peer');
    expect(failed).toMatchObject({ samples: 0, failed: 'RangeError: Maximum call stack size exceeded' });
    expect(failed?.median).toBeNaN();
    expect(result.rows.filter((row) => row.failed === undefined).every((row) => row.samples > 0)).toBe(true);
    expect(result.ratios.map((ratio) => ratio.subject)).toEqual(['spindle/fake']);
  });

  it('fails the case when a subject not marked mayFail throws', async () => {
    const broken: BenchCase = {
      ...fakeCase,
      subjects: [
        ...fakeCase.subjects,
        {
          subject: 'spindle/broken',
          runs: 'throws',
          run: () => {
            throw new Error('bug');
          },
        },
      ],
    };
    await expect(runCase(fakeSuite(broken), broken, tiny)).rejects.toThrow(/bug/);
  });

  it('divides every other subject by the focus subject too, and lets a case shorten its timing', async () => {
    const focused: BenchCase = {
      ...fakeCase,
      focus: 'spindle/fake',
      timing: { rounds: 1, iterations: 2 },
      subjects: [...fakeCase.subjects, { subject: 'peer', runs: 'a loop', run: () => sum(1000) }],
    };
    const result = await runCase(fakeSuite(focused), focused, tiny);
    const byFocus = result.ratios.filter((ratio) => ratio.baseline === 'spindle/fake');
    expect(byFocus.map((ratio) => ratio.subject)).toEqual(['peer']);
    expect(result.ratios.filter((ratio) => ratio.baseline === 'hand-written').map((ratio) => ratio.subject)).toEqual(['spindle/fake', 'peer']);
    // One round instead of two: fewer samples than the run's own timing would take.
    for (const row of result.rows) expect(row.samples).toBeGreaterThanOrEqual(2);
  });

  it('turns a case\'s extra figures into rows of the same shape, divided by the focus subject\'s same figure', async () => {
    const withFigures: BenchCase = {
      ...fakeCase,
      focus: 'spindle/fake',
      subjects: [...fakeCase.subjects, { subject: 'peer', runs: 'a loop', run: () => sum(1000) }],
      figures: (rows) =>
        rows.map((row) => ({ subject: row.subject, metric: 'throughput', median: row.subject === 'peer' ? 50 : 100, unit: 'ops/s', samples: row.samples })),
    };
    const result = await runCase(fakeSuite(withFigures), withFigures, tiny);
    expect(result.figures?.map((row) => row.subject)).toEqual(['hand-written', 'spindle/fake', 'peer']);
    for (const row of result.figures ?? []) {
      expect(Object.keys(row).sort()).toEqual(['case', 'median', 'metric', 'samples', 'subject', 'suite', 'unit']);
      expect(row).toMatchObject({ suite: 'fake', case: 'sum', metric: 'throughput', unit: 'ops/s' });
    }
    const byFigure = result.ratios.filter((ratio) => ratio.metric === 'throughput');
    expect(byFigure).toEqual([
      { suite: 'fake', case: 'sum', subject: 'hand-written', baseline: 'spindle/fake', ratio: 1, metric: 'throughput' },
      { suite: 'fake', case: 'sum', subject: 'peer', baseline: 'spindle/fake', ratio: 0.5, metric: 'throughput' },
    ]);
  });

  it("keeps a subject's session on for each block of its runs only: its check, its warm-up and its timed runs", async () => {
    let on = false;
    let sessions = 0;
    const seenOn: boolean[] = [];
    const seenOff: boolean[] = [];
    const bench: BenchCase = {
      ...fakeCase,
      subjects: [
        {
          subject: 'hand-written',
          runs: 'a for loop',
          run: () => {
            seenOff.push(on);
            return sum(1000);
          },
        },
        {
          subject: 'spindle/fake',
          runs: 'a for loop, with something on',
          run: () => {
            seenOn.push(on);
            return sum(1000);
          },
          session: () => {
            if (on) throw new Error('session started twice');
            on = true;
            sessions++;
            return () => {
              on = false;
            };
          },
        },
      ],
    };
    await runCase(fakeSuite(bench), bench, tiny);
    expect(on).toBe(false);
    // The check, then a warm-up and a timed block in each of the two rounds.
    expect(sessions).toBe(5);
    expect(seenOn.length).toBeGreaterThan(6);
    expect(seenOn.every(Boolean)).toBe(true);
    expect(seenOff.length).toBeGreaterThan(6);
    expect(seenOff.some(Boolean)).toBe(false);
  });

  it('refuses a case whose focus is missing', async () => {
    const orphan: BenchCase = { ...fakeCase, focus: 'spindle/nope' };
    await expect(runCase(fakeSuite(orphan), orphan, tiny)).rejects.toThrow(/no subject for its focus "spindle\/nope"/);
  });

  it('refuses a case whose baseline is missing', async () => {
    const orphan: BenchCase = { ...fakeCase, baseline: 'native' };
    await expect(runCase(fakeSuite(orphan), orphan, tiny)).rejects.toThrow(/no subject for its baseline "native"/);
  });
});

describe('compare and median', () => {
  it('divides each subject by the baseline of the same case', () => {
    const row = { suite: 's', case: 'c', metric: 'time per step', unit: 'ns', samples: 3 };
    const ratios = compare(fakeCase, [
      { ...row, subject: 'hand-written', median: 4 },
      { ...row, subject: 'spindle/fake', median: 10 },
    ]);
    expect(ratios).toEqual([{ suite: 's', case: 'c', subject: 'spindle/fake', baseline: 'hand-written', ratio: 2.5 }]);
  });

  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
