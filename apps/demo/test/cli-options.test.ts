import { describe, expect, it } from 'vitest';
import { defaultOut, defaultSizes, parseDemoArgs } from '../src/path/cli-options.js';

describe('pnpm demo options', () => {
  it('defaults to every stage, the default sizes and the report in the package', () => {
    expect(parseDemoArgs([], '/somewhere')).toEqual({ sizes: defaultSizes, stages: [], json: false, out: defaultOut });
    expect(defaultOut).toMatch(/apps\/demo\/out\/demo-report\.html$/);
  });

  it('reads stages, sizes and --json, with a leading -- as pnpm passes it', () => {
    const options = parseDemoArgs(['--', '--stage', '7', '--stage', 'mistakes', '--tasks', '8', '--delay-ms', '20', '--json', '--out', 'r.html'], '/tmp');
    expect(options).toMatchObject({ stages: ['7', 'mistakes'], json: true, out: '/tmp/r.html' });
    expect(options !== 'help' && options.sizes).toMatchObject({ tasks: 8, delayMs: 20 });
  });

  it('refuses a size that is not a positive integer, with the usage', () => {
    expect(() => parseDemoArgs(['--tasks', '0'], '/tmp')).toThrow(/--tasks must be a positive integer[\s\S]*usage: pnpm demo/);
    expect(parseDemoArgs(['--help'], '/tmp')).toBe('help');
  });
});
