import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultOut, parseCli, partialOut } from '../src/cli.js';

describe('parseCli', () => {
  it('defaults to every suite, a full run, one thread per core and results/latest.json', () => {
    const options = parseCli([]);
    expect(options).toMatchObject({ suites: [], cases: [], isolate: 0, quick: false, list: false, help: false, out: defaultOut });
    expect(options.threads).toBe(os.availableParallelism());
    expect(path.basename(defaultOut)).toBe('latest.json');
    expect(path.basename(path.dirname(defaultOut))).toBe('results');
  });

  it('ignores the leading -- that `pnpm bench -- …` passes through', () => {
    expect(parseCli(['--', '--suite', 'round-robin-step', '--quick'])).toMatchObject({
      suites: ['round-robin-step'],
      quick: true,
    });
  });

  it.each([
    [['--suite', 'pool']],
    [['--case', 'idle/']],
    [['--quick']],
    [['--isolate', '4']],
  ])('writes a partial run %j to results/partial.json, never over the run of record', (argv) => {
    expect(parseCli(argv).out).toBe(partialOut);
    expect(path.basename(partialOut)).toBe('partial.json');
    expect(path.dirname(partialOut)).toBe(path.dirname(defaultOut));
  });

  it('writes a partial run where --out says', () => {
    expect(parseCli(['--quick', '--out', 'q.json']).out).toBe(path.resolve('q.json'));
  });

  it('takes several suites, a thread count and an output file', () => {
    const options = parseCli(['--suite', 'a', '--suite', 'b', '--threads', '4', '--out', 'x/y.json']);
    expect(options.suites).toEqual(['a', 'b']);
    expect(options.threads).toBe(4);
    expect(options.out).toBe(path.resolve('x/y.json'));
  });

  it('takes case-name prefixes and a count of processes per subject', () => {
    expect(parseCli(['--case', 'idle/', '--case', 'recorder/pool', '--isolate', '12'])).toMatchObject({ cases: ['idle/', 'recorder/pool'], isolate: 12 });
  });

  it.each(['0', '1', '-2', '2.5', 'many', ''])('refuses --isolate %j (a ratio needs at least two pairs)', (isolate) => {
    expect(() => parseCli(['--isolate', isolate])).toThrow(/--isolate/);
  });

  it('says how many processes --isolate needs', () => {
    expect(() => parseCli(['--isolate', '1'])).toThrow('--isolate must be a whole number of at least 2, got "1"');
  });

  it.each(['0', '-1', '1.5', 'many', ''])('refuses --threads %j', (threads) => {
    expect(() => parseCli(['--threads', threads])).toThrow(/--threads/);
  });

  it('refuses unknown options', () => {
    expect(() => parseCli(['--fast'])).toThrow(/fast/);
  });
});
