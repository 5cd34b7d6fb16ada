import type { Recording } from './recording.js';
import { buildTimeline } from './timeline.js';
import type { Timeline, TimelineSlice } from './timeline.js';
import { escapeHtml, formatMs } from './format.js';

/** Options of {@link toHtmlTimeline}. */
export interface HtmlTimelineOptions {
  /** Page title. Default `Spindle timeline`. */
  readonly title?: string;
  /** Width of the drawing in CSS pixels. Default 1200. */
  readonly width?: number;
}

/**
 * Slice colours, one per task in turn (neighbouring tasks differ). Exported so that tests
 * (and anyone checking a screenshot) know what a drawn step looks like.
 */
export const SLICE_COLORS: readonly string[] = ['#2f6fdf', '#e8730c', '#159a6b', '#9b3fd6', '#d33a3a', '#b89b00'];

const GUTTER = 150;
const ROW = 30;
const BAR = 20;
const AXIS = 28;
const COUNTER = 44;

/**
 * Draws a recording as one self-contained HTML page: an SVG with one row per thread, one
 * rectangle per step (coloured by task, labelled when wide enough; hover for task, body,
 * executor and duration), arrows
 * from spawn to first step and for steals, and a ready-tasks graph per executor. No
 * script and nothing fetched from the network: it opens from disk in any browser.
 */
export function toHtmlTimeline(recording: Recording, options?: HtmlTimelineOptions): string {
  const timeline = buildTimeline(recording);
  const title = options?.title ?? 'Spindle timeline';
  const width = Math.max(400, options?.width ?? 1200);
  const svg = timeline.slices.length === 0 && timeline.markers.length === 0 ? '' : drawSvg(timeline, width);
  const span = timeline.endTime - timeline.startTime;
  const summary =
    `${timeline.slices.length} steps on ${timeline.threads.length} thread(s) over ${formatMs(span)}` +
    (timeline.dropped > 0 ? `; ${timeline.dropped} earlier events were dropped (ring buffer full)` : '');
  const legend = `executors: ${timeline.executors.map((executor) => escapeHtml(executor)).join(', ')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font: 13px system-ui, sans-serif; margin: 16px; color: #1d232b; background: #fff; }
h1 { font-size: 16px; margin: 0 0 4px; }
p { margin: 0 0 8px; color: #4a5461; }
svg text { font: 11px system-ui, sans-serif; fill: #3b4450; }
svg text.in { fill: #fff; pointer-events: none; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(timeline.slices.length === 0 ? 'No steps recorded.' : summary)}</p>
<p>${legend}</p>
${svg}
</body>
</html>
`;
}

function drawSvg(timeline: Timeline, width: number): string {
  const rows = new Map(timeline.threads.map((t, i) => [t.thread, i]));
  const taskColors = new Map<string, string>();
  const colorOf = (slice: TimelineSlice): string => {
    const key = `${slice.executor}#${slice.taskId}`;
    let fill = taskColors.get(key);
    if (fill === undefined) {
      fill = color(taskColors.size);
      taskColors.set(key, fill);
    }
    return fill;
  };
  const executorColors = new Map(timeline.executors.map((e, i) => [e, color(i)]));
  const plot = width - GUTTER - 10;
  const span = Math.max(timeline.endTime - timeline.startTime, 1e-3);
  const x = (time: number): number => GUTTER + ((time - timeline.startTime) / span) * plot;
  const rowTop = (thread: number): number => AXIS + (rows.get(thread) ?? 0) * ROW;
  const threadsHeight = timeline.threads.length * ROW;
  const height = AXIS + threadsHeight + timeline.executors.length * COUNTER + 10;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`);
  parts.push(
    '<defs><marker id="arrow" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L6,3 L0,6 z" fill="#666"/></marker></defs>',
  );
  // Axis: five ticks with times from the start of the recording.
  for (let i = 0; i <= 5; i++) {
    const tx = GUTTER + (plot * i) / 5;
    parts.push(`<line x1="${f(tx)}" y1="${AXIS - 6}" x2="${f(tx)}" y2="${AXIS + threadsHeight}" stroke="#e3e6ea"/>`);
    parts.push(`<text x="${f(tx)}" y="${AXIS - 10}" text-anchor="${i === 5 ? 'end' : 'middle'}">${escapeHtml(formatMs((span * i) / 5))}</text>`);
  }
  for (const { thread, name } of timeline.threads) {
    const top = rowTop(thread);
    parts.push(`<rect x="0" y="${top}" width="${width}" height="${ROW}" fill="${(rows.get(thread) ?? 0) % 2 === 0 ? '#f7f8fa' : '#ffffff'}"/>`);
    parts.push(`<text x="8" y="${top + ROW / 2 + 4}">${escapeHtml(name)}</text>`);
  }
  for (const run of mergeRuns(timeline.slices, x, colorOf)) {
    const top = rowTop(run.thread) + (ROW - BAR) / 2;
    const w = Math.max(1, run.x2 - run.x1);
    const tip = run.slice === undefined ? `${run.count} steps` : describeSlice(run.slice);
    parts.push(`<rect class="step" x="${f(run.x1)}" y="${top}" width="${f(w)}" height="${BAR}" fill="${run.fill}"><title>${escapeHtml(tip)}</title></rect>`);
    // A label only where it fits (about 6 px a character).
    const label = run.slice?.label;
    if (label !== undefined && w > label.length * 6 + 8) {
      parts.push(`<text class="in" x="${f(run.x1 + 4)}" y="${top + BAR / 2 + 4}">${escapeHtml(label)}</text>`);
    }
  }
  for (const marker of timeline.markers) {
    const mx = x(marker.time);
    const top = rowTop(marker.thread);
    parts.push(`<line x1="${f(mx)}" y1="${top + 3}" x2="${f(mx)}" y2="${top + ROW - 3}" stroke="#555" stroke-width="1"><title>${escapeHtml(marker.label)}</title></line>`);
  }
  for (const flow of timeline.flows) {
    const y1 = rowTop(flow.fromThread) + ROW / 2;
    const y2 = rowTop(flow.toThread) + ROW / 2;
    const stroke = flow.kind === 'steal' ? '#c2410c' : '#666';
    parts.push(
      `<line x1="${f(x(flow.fromTime))}" y1="${f(y1)}" x2="${f(x(flow.toTime))}" y2="${f(y2)}" stroke="${stroke}" stroke-opacity="0.45" stroke-width="1" marker-end="url(#arrow)"/>`,
    );
  }
  timeline.executors.forEach((executor, i) => {
    const top = AXIS + threadsHeight + i * COUNTER + 6;
    const points = timeline.counters.filter((c) => c.executor === executor);
    const max = Math.max(1, ...points.map((p) => p.ready));
    const y = (ready: number): number => top + COUNTER - 8 - (ready / max) * (COUNTER - 16);
    let d = `M${f(GUTTER)},${f(y(0))}`;
    let last = 0;
    for (const point of points) {
      d += ` H${f(x(point.time))} V${f(y(point.ready))}`;
      last = point.ready;
    }
    d += ` H${f(GUTTER + plot)}`;
    parts.push(`<text x="8" y="${top + COUNTER / 2}">ready: ${escapeHtml(truncate(executor, 16))}</text>`);
    parts.push(`<text x="8" y="${top + COUNTER / 2 + 13}">max ${max}, last ${last}</text>`);
    parts.push(`<path d="${d}" fill="none" stroke="${executorColors.get(executor) ?? color(0)}" stroke-width="1.5"/>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

interface Run {
  readonly thread: number;
  readonly fill: string;
  readonly x1: number;
  x2: number;
  count: number;
  slice: TimelineSlice | undefined;
}

/** Neighbouring steps of one colour closer than half a pixel become one rectangle: big recordings stay light. */
function mergeRuns(slices: readonly TimelineSlice[], x: (time: number) => number, colorOf: (slice: TimelineSlice) => string): Run[] {
  const open = new Map<string, Run>();
  const runs: Run[] = [];
  for (const slice of slices) {
    const fill = colorOf(slice);
    const key = `${slice.thread}\u0000${fill}`;
    const x1 = x(slice.start);
    const x2 = x(slice.end);
    const run = open.get(key);
    if (run !== undefined && x1 - run.x2 < 0.5) {
      run.x2 = Math.max(run.x2, x2);
      run.count++;
      run.slice = undefined;
      continue;
    }
    const next: Run = { thread: slice.thread, fill, x1, x2, count: 1, slice };
    open.set(key, next);
    runs.push(next);
  }
  return runs;
}

function describeSlice(slice: TimelineSlice): string {
  return `${slice.label} (${slice.body}) on ${slice.executor}: ${formatMs(slice.end - slice.start)}, ended by ${slice.ended}${slice.first ? ', first step' : ''}`;
}

function color(index: number): string {
  return SLICE_COLORS[index % SLICE_COLORS.length] ?? '#2f6fdf';
}

function f(value: number): string {
  return (Math.round(value * 100) / 100).toString();
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
