import { InvalidOptionsError } from '@spindle/core';
import type { Finding } from './finding.js';
import { escapeHtml, formatMs } from './format.js';
import type { Recording } from './recording.js';
import { buildTimeline } from './timeline.js';
import { TIMELINE_COLORS, SLICE_COLORS } from './timeline-colors.js';
import { drawTimelineSvg } from './timeline-svg.js';

export { SLICE_COLORS, TIMELINE_COLORS } from './timeline-colors.js';

/** Options of {@link toHtmlTimeline}. */
export interface HtmlTimelineOptions {
  /** Page title. Default `Spindle timeline`. */
  readonly title?: string;
  /** Width of the drawing in CSS pixels. Default 1200. */
  readonly width?: number;
  /**
   * Detectors' findings to draw with it: a blocked event loop as a band over the main
   * thread's row (and across the task rows below), the members of a wait cycle with their
   * names in red. Others are not drawn.
   */
  readonly findings?: readonly Finding[];
  /** Task rows drawn at most: the first tasks to begin. Default 64 (the thread rows still show every step). */
  readonly maxTaskRows?: number;
}

/**
 * Draws a recording as one self-contained HTML page: an SVG with a row per thread (its
 * steps, coloured by thread), a row per task (its steps solid, the time it spent parked
 * as a lighter span, the time it waited in a ready queue as a thin line, a triangle where
 * it was stolen), and a ready-tasks graph per executor; hover for details. The time axis
 * runs from the first thing drawn to the last. No script and nothing fetched from the
 * network: it opens from disk in any browser.
 * @throws InvalidOptionsError for a `maxTaskRows` that is not a non-negative integer
 */
export function toHtmlTimeline(recording: Recording, options?: HtmlTimelineOptions): string {
  const timeline = buildTimeline(recording);
  const title = options?.title ?? 'Spindle timeline';
  const width = Math.max(400, options?.width ?? 1200);
  const maxTaskRows = options?.maxTaskRows ?? 64;
  if (!Number.isInteger(maxTaskRows) || maxTaskRows < 0) throw new InvalidOptionsError('maxTaskRows', `maxTaskRows must be a non-negative integer, got ${String(maxTaskRows)}`);
  const findings = options?.findings ?? [];
  const empty = timeline.slices.length === 0 && timeline.tasks.length === 0 && timeline.markers.length === 0;
  const svg = empty ? '' : drawTimelineSvg(timeline, { width, findings, maxTaskRows });
  const span = timeline.endTime - timeline.startTime;
  const count = (n: number, word: string): string => `${String(n)} ${word}${n === 1 ? '' : 's'}`;
  const summary =
    `${count(timeline.tasks.length, 'task')}, ${count(timeline.slices.length, 'step')} on ${count(timeline.threads.length, 'thread')} over ${formatMs(span)}` +
    (timeline.dropped > 0 ? `; ${String(timeline.dropped)} earlier events were dropped (ring buffer full)` : '');
  const executors = `executors: ${timeline.executors.map((executor) => escapeHtml(executor)).join(', ')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
${TIMELINE_STYLE}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(timeline.slices.length === 0 ? 'No steps recorded.' : summary)}</p>
<p>${executors}</p>
${empty ? '' : legend(timeline.tasks.some((task) => task.steals.length > 0), findings.some((finding) => finding.kind === 'blocked-event-loop'))}
${svg}
</body>
</html>
`;
}

const TIMELINE_STYLE = `body { font: 13px system-ui, sans-serif; margin: 16px; color: #1d232b; background: #fff; }
h1 { font-size: 16px; margin: 0 0 4px; }
p { margin: 0 0 8px; color: #4a5461; }
svg text { font: 11px system-ui, sans-serif; fill: #3b4450; }
svg text.in { fill: #fff; pointer-events: none; }
svg text.header { font-size: 10px; font-weight: 600; letter-spacing: 0.06em; text-transform: uppercase; fill: #6b7684; }
svg text.alarm, svg text.outcome { fill: ${TIMELINE_COLORS.alarm}; }
p.legend span.key { display: inline-block; width: 14px; height: 10px; margin: 0 4px 0 12px; vertical-align: -1px; }
p.legend span.key:first-child { margin-left: 0; }`;

/** What each mark means, with swatches in the colours the SVG uses. */
function legend(steals: boolean, blocked: boolean): string {
  const key = (style: string, text: string): string => `<span class="key" style="${style}"></span>${text}`;
  const keys = [
    key(`background: ${SLICE_COLORS[0] ?? '#2f6fdf'}`, 'step: running on a thread (colour: which thread)'),
    key(`background: ${TIMELINE_COLORS.parked}`, 'parked: waiting for what it awaits'),
    key(`height: 2px; vertical-align: 3px; background: ${TIMELINE_COLORS.ready}`, 'ready: queued, waiting for a thread'),
  ];
  if (steals) keys.push(key(`width: 0; height: 0; border: 5px solid transparent; border-top: 6px solid ${TIMELINE_COLORS.steal}; vertical-align: -4px`, 'stolen'));
  if (blocked) keys.push(key(`background: ${TIMELINE_COLORS.blocked}`, 'event loop blocked'));
  return `<p class="legend">${keys.join(' ')}</p>`;
}
