import { describe, expect, it } from 'vitest';
import { measureAlone, runCaseIsolated } from '../src/isolated.js';
import type { IsolatedRequest, IsolatedResult } from '../src/isolated.js';
import type { BenchCase } from '../src/suite.js';
import { fakeSuite, sum, sumCase, tiny } from './fake-case.js';

const options = { quick: true, threads: 1 };

function fakeCase(onRun: (subject: string) => void = () => undefined, onDispose: (subject: string) => void = () => undefined): BenchCase {
  const subject = (name: string, extra: { mayFail?: boolean; run?: () => number } = {}) => ({
    subject: name,
    runs: 'a for loop',
    run: () => {
      onRun(name);
      return extra.run?.() ?? sum(1000);
    },
    dispose: () => {
      onDispose(name);
    },
    ...(extra.mayFail === undefined ? {} : { mayFail: extra.mayFail }),
  });
  return {
    ...sumCase,
    subjects: [
      subject('hand-written'),
      subject('spindle/fake'),
      subject('peer', {
        mayFail: true,
        run: () => {
          throw new RangeError('Maximum call stack size exceeded');
        },
      }),
    ],
  };
}


describe('runCaseIsolated', () => {
  it('measures every subject once a round, order reversed every other round, and pairs ratios by round', async () => {
    const bench = fakeCase();
    const asked: IsolatedRequest[] = [];
    // The baseline is 10 ns in round 0 and 20 ns in round 1; the subject twice that in
    // each: paired, its ratio is exactly 2 with no width, though its median is 30.
    const measure = (request: IsolatedRequest): Promise<IsolatedResult> => {
      asked.push(request);
      const round = asked.filter((each) => each.subject === request.subject).length - 1;
      const base = round === 0 ? 10 : 20;
      if (request.subject === 'peer') return Promise.resolve({ median: Number.NaN, failed: 'RangeError: Maximum call stack size exceeded' });
      return Promise.resolve({ median: request.subject === 'hand-written' ? base : 2 * base });
    };
    const result = await runCaseIsolated(fakeSuite(bench), bench, options, tiny, 2, () => undefined, measure);
    // A failed subject is not asked again.
    expect(asked.map((request) => request.subject)).toEqual(['hand-written', 'spindle/fake', 'peer', 'spindle/fake', 'hand-written']);
    expect(asked.every((request) => request.timing.rounds === 1 && request.case === 'sum' && request.suite === 'fake')).toBe(true);
    expect(result.rows.map((row) => [row.subject, row.median, row.samples])).toEqual([
      ['hand-written', 15, 2],
      ['spindle/fake', 30, 2],
      ['peer', Number.NaN, 0],
    ]);
    expect(result.rows[2]?.failed).toBe('RangeError: Maximum call stack size exceeded');
    expect(result.ratios).toHaveLength(1);
    expect(result.ratios[0]).toMatchObject({ subject: 'spindle/fake', baseline: 'hand-written', interval: { processes: 2 } });
    expect(result.ratios[0]?.ratio).toBeCloseTo(2, 12);
    expect(result.ratios[0]?.interval?.low).toBeCloseTo(2, 12);
    expect(result.ratios[0]?.interval?.high).toBeCloseTo(2, 12);
  });

  it('divides the other subjects by the focus subject too, pair by pair', async () => {
    const bench: BenchCase = { ...fakeCase(), focus: 'spindle/fake', subjects: fakeCase().subjects.slice(0, 2) };
    const third = { subject: 'spindle/other', runs: 'a for loop', run: () => sum(1000) };
    const focused: BenchCase = { ...bench, subjects: [...bench.subjects, third] };
    const medians: Record<string, number[]> = { 'hand-written': [10, 20, 40], 'spindle/fake': [20, 40, 80], 'spindle/other': [30, 60, 120] };
    const seen: Record<string, number> = {};
    const measure = (request: IsolatedRequest): Promise<IsolatedResult> => {
      const index = (seen[request.subject] = (seen[request.subject] ?? -1) + 1);
      return Promise.resolve({ median: medians[request.subject]?.[index] ?? Number.NaN });
    };
    const result = await runCaseIsolated(fakeSuite(focused), focused, options, tiny, 3, () => undefined, measure);
    const pairs = result.ratios.map((ratio) => [ratio.subject, ratio.baseline, Number(ratio.ratio.toFixed(9)), ratio.interval?.processes]);
    expect(pairs).toEqual([
      ['spindle/fake', 'hand-written', 2, 3],
      ['spindle/other', 'hand-written', 3, 3],
      ['spindle/other', 'spindle/fake', 1.5, 3],
    ]);
  });

  it('refuses fewer than two processes and a case without its baseline', async () => {
    const bench = fakeCase();
    const never = (): Promise<IsolatedResult> => Promise.reject(new Error('not to be called'));
    await expect(runCaseIsolated(fakeSuite(bench), bench, options, tiny, 1, () => undefined, never)).rejects.toThrow(/at least 2 processes/);
    const orphan = { ...bench, baseline: 'native' };
    await expect(runCaseIsolated(fakeSuite(orphan), orphan, options, tiny, 2, () => undefined, never)).rejects.toThrow(/baseline "native"/);
  });
});

describe('measureAlone (what each process runs)', () => {
  it('runs only the subject asked for, and releases every subject of the case', async () => {
    const ran = new Set<string>();
    const disposed: string[] = [];
    const bench = fakeCase(
      (name) => ran.add(name),
      (name) => disposed.push(name),
    );
    const result = await measureAlone({ suite: 'fake', case: 'sum', subject: 'spindle/fake', options, timing: { ...tiny, rounds: 1 } }, [fakeSuite(bench)]);
    expect(result.failed).toBeUndefined();
    expect(result.median).toBeGreaterThan(0);
    expect([...ran]).toEqual(['spindle/fake']);
    expect(disposed.sort()).toEqual(['hand-written', 'peer', 'spindle/fake']);
  });

  it('reports a subject marked mayFail that throws as failed', async () => {
    const result = await measureAlone({ suite: 'fake', case: 'sum', subject: 'peer', options, timing: tiny }, [fakeSuite(fakeCase())]);
    expect(result).toEqual({ median: Number.NaN, failed: 'RangeError: Maximum call stack size exceeded' });
  });

  it.each([
    [{ suite: 'nope', case: 'sum', subject: 'peer' }, /no suite "nope"/],
    [{ suite: 'fake', case: 'nope', subject: 'peer' }, /no case "nope"/],
    [{ suite: 'fake', case: 'sum', subject: 'nope' }, /no subject "nope"/],
  ])('names what it cannot find: %o', async (request, message) => {
    await expect(measureAlone({ ...request, options, timing: tiny }, [fakeSuite(fakeCase())])).rejects.toThrow(message);
  });
});
