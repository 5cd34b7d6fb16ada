import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const read = (file: string): string => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');

// docs/benchmarks.md shows the latest full run: the bench's own Markdown, as it wrote it,
// under a heading that gives the run's date and commit.
it('docs/benchmarks.md holds the table of apps/bench/results/latest.md and names its date and commit', () => {
  const page = read('docs/benchmarks.md');
  const start = '<!-- bench-latest:start -->\n';
  const end = '<!-- bench-latest:end -->';
  const from = page.indexOf(start);
  const to = page.indexOf(end);
  expect(from, 'the bench-latest markers').toBeGreaterThan(-1);
  expect(to).toBeGreaterThan(from);
  expect(page.slice(from + start.length, to), 'the table between the markers is apps/bench/results/latest.md, verbatim').toBe(read('apps/bench/results/latest.md'));

  expect(read('apps/bench/results/latest.md'), 'the run of record is a full run, not one suite or case').toMatch(/^Made by `pnpm bench` at /);

  const latest = JSON.parse(read('apps/bench/results/latest.json')) as { generatedAt: string; commit: string };
  expect(page).toContain(`**${latest.generatedAt.slice(0, 10)} at commit \`${latest.commit.slice(0, 7)}\`**`);
});
