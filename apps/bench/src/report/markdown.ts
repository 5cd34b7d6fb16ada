import type { Comparison, MachineFacts } from '../results.js';
import type { CaseResult } from '../runner.js';

/** A figure with three significant digits, e.g. `41.3`, `1,230`, `0.512`. */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `3.42x`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}x`;
}

/** `1.02x`, or with an interval (from `--isolate`) `1.02x (0.995–1.045)`. */
function formatComparison(comparison: Comparison): string {
  const { ratio, interval } = comparison;
  return interval === undefined ? formatRatio(ratio) : `${formatRatio(ratio)} (${interval.low.toFixed(3)}–${interval.high.toFixed(3)})`;
}

const escape = (text: string): string => text.replaceAll('|', '\\|');

/**
 * One Markdown table per suite: a row per subject, its median per operation, and its
 * ratio to the case's baseline (measured in the same run).
 */
export function markdownReport(results: readonly CaseResult[], machine: MachineFacts, quick: boolean, isolate = 0): string {
  const out: string[] = [];
  out.push(
    `Measured on ${machine.cpuModel} (${machine.cores} cores), Node ${machine.node}` +
      `${quick ? ' — quick run: few samples, figures are rough' : ''}.`,
    '',
  );
  if (isolate > 0) {
    out.push(
      `Every subject measured alone in fresh processes, ${String(isolate)} per subject, in rounds: a median is the median of its ` +
        "processes' medians, samples counts processes, and a ratio is the geometric mean of the rounds' ratios with its 95% confidence interval.",
      '',
    );
  }
  const bySuite = new Map<string, CaseResult[]>();
  for (const result of results) {
    const list = bySuite.get(result.suite.name) ?? [];
    list.push(result);
    bySuite.set(result.suite.name, list);
  }
  for (const [name, cases] of bySuite) {
    out.push(`### ${name}`, '', cases[0]?.suite.description ?? '', '');
    // Suites whose cases have a focus subject get a column: each row over the focus.
    const focused = cases.some((result) => result.bench.focus !== undefined);
    out.push(
      `| case | subject | runs | median | ratio |${focused ? ' ÷ focus |' : ''} samples |`,
      `| --- | --- | --- | ---: | ---: |${focused ? ' ---: |' : ''} ---: |`,
    );
    for (const { bench, rows, ratios } of cases) {
      rows.forEach((row, index) => {
        const subject = bench.subjects[index];
        const isBaseline = row.subject === bench.baseline;
        const isFocus = row.subject === bench.focus;
        const ratio = ratios.find((candidate) => candidate.subject === row.subject && candidate.baseline === bench.baseline);
        const versus = ratios.find((candidate) => candidate.subject === row.subject && candidate.baseline === bench.focus);
        const figure = row.failed === undefined ? `${formatFigure(row.median)} ${row.unit}/${bench.op}` : `failed: ${escape(row.failed)}`;
        const ratioText = isBaseline ? (row.failed === undefined ? '1.00x' : '—') : ratio === undefined ? '—' : formatComparison(ratio);
        const versusText = isFocus ? (row.failed === undefined ? '1.00x' : '—') : versus === undefined ? '—' : formatComparison(versus);
        out.push(
          `| ${index === 0 ? bench.name : ''} | ${row.subject}${isBaseline ? ' (baseline)' : ''}${isFocus ? ' (focus)' : ''} | ${escape(subject?.runs ?? '')} ` +
            `| ${figure} | ${ratioText} |${focused ? ` ${versusText} |` : ''} ${row.samples} |`,
        );
      });
    }
    out.push('');
    out.push(...figuresTable(cases));
  }
  return out.join('\n');
}

/**
 * The extra figures of a suite's cases (throughput, percentiles, ratios to an ideal), each
 * with its ratio to the same figure of the case's focus subject (or baseline); empty when
 * no case has any.
 */
function figuresTable(cases: readonly CaseResult[]): string[] {
  if (!cases.some((result) => (result.figures ?? []).length > 0)) return [];
  const out = ['| case | subject | figure | value | ÷ reference | over |', '| --- | --- | --- | ---: | ---: | ---: |'];
  for (const { bench, figures = [], ratios } of cases) {
    const reference = bench.focus ?? bench.baseline;
    let first = true;
    for (const figure of figures) {
      const ratio = ratios.find(
        (candidate) => candidate.metric === figure.metric && candidate.subject === figure.subject && candidate.baseline === reference,
      )?.ratio;
      const value = Number.isFinite(figure.median) ? `${formatFigure(figure.median)} ${figure.unit}` : 'failed';
      const ratioText = figure.subject === reference ? (Number.isFinite(figure.median) ? `1.00x (${escape(reference)})` : '—') : ratio === undefined ? '—' : formatRatio(ratio);
      out.push(`| ${first ? bench.name : ''} | ${escape(figure.subject)} | ${escape(figure.metric)} | ${value} | ${ratioText} | ${figure.samples} |`);
      first = false;
    }
  }
  out.push('');
  return out;
}
