import type { LogEntry } from './event-log.js';
import type { VariantRun } from './run-variant.js';

/** `t=  12.34ms`, right-aligned so the columns line up. */
export function formatTime(ms: number): string {
  return `t=${ms.toFixed(2).padStart(8)}ms`;
}

/** One log line: time, task, and what happened (notes stand out from scheduler events). */
export function formatEntry(entry: LogEntry, names: ReadonlyMap<number, string>): string {
  const task = `task#${entry.taskId} ${names.get(entry.taskId) ?? ''}`.padEnd(24);
  const what = entry.kind === 'note' ? `» ${entry.text}` : `  ${entry.kind.padEnd(7)} ${entry.text}`;
  return `${formatTime(entry.at)}  ${task} ${what}`;
}

/** The summary line: the numbers, the time, and whether the fetches overlapped. */
export function formatSummary(run: VariantRun): string {
  const slowest = Math.max(...run.delaysMs);
  const serial = run.delaysMs.reduce((sum, delay) => sum + delay, 0);
  const verdict =
    run.elapsedMs < serial
      ? `the fetches overlapped: ${(serial / run.elapsedMs).toFixed(1)}x faster than one after another`
      : 'the fetches did not overlap';
  return (
    `get_numbers → [${run.numbers.join(', ')}] in ${run.elapsedMs.toFixed(1)} ms ` +
    `(slowest fetch ${slowest} ms, all one after another ${serial} ms): ${verdict}`
  );
}

/** The whole block printed for one variant. */
export function formatRun(run: VariantRun): string {
  const heading = `── ${run.variant.title} ${'─'.repeat(Math.max(0, 70 - run.variant.title.length))}`;
  const lines = run.entries.map((entry) => formatEntry(entry, run.names));
  return [heading, ...lines, '', formatSummary(run), ''].join('\n');
}
