import type { StageRun } from './stage.js';
import { whatRanWhen } from './what-ran-when.js';

/** A stage's result in one short line. */
export function formatResult(result: unknown): string {
  return typeof result === 'string' ? result : JSON.stringify(result);
}

/** The block printed for one stage: heading, times, notes, what ran when. */
export function formatStageRun(run: StageRun): string {
  const heading = `── ${String(run.stage.index)}. ${run.stage.title} ${'─'.repeat(Math.max(0, 66 - run.stage.title.length))}`;
  return [
    heading,
    run.stage.summary,
    `result ${formatResult(run.outcome.result)} · wall ${run.wallMs.toFixed(1)} ms · CPU ${run.cpuMs.toFixed(1)} ms`,
    ...run.outcome.notes.map((line) => `  ${line}`),
    'what ran when (from the recorded events):',
    ...whatRanWhen(run.recording).map((line) => `  ${line}`),
    '',
  ].join('\n');
}

/** The closing table: one line per stage. */
export function formatSummary(runs: readonly StageRun[]): string {
  const lines = runs.map(
    (run) =>
      `  ${String(run.stage.index)}. ${run.stage.title.padEnd(36)} ${run.wallMs.toFixed(1).padStart(9)} ms wall ${run.cpuMs.toFixed(1).padStart(9)} ms CPU`,
  );
  return ['summary (CPU = process.cpuUsage, all threads):', ...lines].join('\n');
}
