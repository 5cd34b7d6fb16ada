import { escapeHtml, formatMs } from './format.js';
import type { TimeScale } from './svg-scale.js';
import { f, mergeSpans, shorten, textWidth } from './svg-spans.js';
import type { Timeline, TimelineSlice, TimelineTask, TimelineWait } from './timeline.js';
import { TIMELINE_COLORS, threadColor } from './timeline-colors.js';

/** Where a row is: its top, its height and the height of the bars in it. */
export interface RowBox {
  readonly top: number;
  readonly row: number;
  readonly bar: number;
}

/** Everything one task's row is drawn from. */
export interface TaskRowInput {
  readonly task: TimelineTask;
  readonly key: string;
  readonly box: RowBox;
  /** Where its name starts (children are indented under their parent). */
  readonly indent: number;
  readonly inCycle: boolean;
  /** The drawing's width: how ends are placed after the last span. */
  readonly width: number;
  readonly slices: readonly TimelineSlice[];
  /** Its waits, sorted by start. */
  readonly waits: readonly TimelineWait[];
  readonly colorOf: ReadonlyMap<number, string>;
  readonly scale: TimeScale;
}

/**
 * One task's row: its name, ready time as a thin line, parked time as a lighter span the
 * height of a step, its steps solid in their thread's colour (at least 2 px wide, so that
 * a microsecond step on a long axis still shows), a triangle where it was stolen, and how
 * it ended unless it was fulfilled.
 */
export function drawTaskRow(input: TaskRowInput): string {
  const { task, box, scale } = input;
  const top = box.top + (box.row - box.bar) / 2;
  const middle = box.top + box.row / 2;
  const tip = describeTask(input);
  const parts = [
    `<g class="task" data-task="${escapeHtml(input.key)}">`,
    `<text class="label${input.inCycle ? ' alarm' : ''}" x="${String(input.indent)}" y="${f(middle + 4)}"${input.inCycle ? ` fill="${TIMELINE_COLORS.alarm}"` : ''}>${escapeHtml(shorten(task.label))}<title>${escapeHtml(tip)}</title></text>`,
  ];
  const ready = input.waits.filter((wait) => wait.kind === 'ready');
  const parked = input.waits.filter((wait) => wait.kind === 'parked');
  for (const run of mergeSpans(ready, scale.x, 0)) {
    parts.push(`<rect class="wait ready" x="${f(run.x1)}" y="${f(middle - 1)}" width="${f(run.x2 - run.x1)}" height="2" fill="${TIMELINE_COLORS.ready}"><title>ready, waiting for a thread: ${escapeHtml(describeRun(run))}</title></rect>`);
  }
  for (const run of mergeSpans(parked, scale.x, 1)) {
    parts.push(`<rect class="wait parked" x="${f(run.x1)}" y="${f(top)}" width="${f(run.x2 - run.x1)}" height="${String(box.bar)}" fill="${TIMELINE_COLORS.parked}"><title>parked, waiting: ${escapeHtml(describeRun(run))}</title></rect>`);
  }
  const byThread = new Map<number, TimelineSlice[]>();
  for (const slice of input.slices) {
    const list = byThread.get(slice.thread);
    if (list === undefined) byThread.set(slice.thread, [slice]);
    else list.push(slice);
  }
  for (const [thread, slices] of byThread) {
    const fill = input.colorOf.get(thread) ?? threadColor(0);
    for (const run of mergeSpans(slices, scale.x, 2)) {
      parts.push(`<rect class="step" x="${f(run.x1)}" y="${f(top)}" width="${f(run.x2 - run.x1)}" height="${String(box.bar)}" fill="${fill}"><title>${escapeHtml(`step: ${describeRun(run)}`)}</title></rect>`);
    }
  }
  for (const time of task.steals) {
    const x = scale.x(time);
    parts.push(`<path class="steal" d="M${f(x - 3.5)},${f(box.top)} H${f(x + 3.5)} L${f(x)},${f(top + 3)} Z" fill="${TIMELINE_COLORS.steal}"><title>stolen by another worker</title></path>`);
  }
  if (task.outcome !== undefined && task.outcome !== 'fulfilled') {
    const end = scale.x(task.end);
    const after = end + 4 + textWidth(task.outcome) <= input.width;
    parts.push(`<text class="outcome" x="${f(after ? end + 4 : end - 4)}" y="${f(middle + 4)}" text-anchor="${after ? 'start' : 'end'}" fill="${TIMELINE_COLORS.alarm}">${escapeHtml(task.outcome)}</text>`);
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** A ready-tasks graph per executor, captioned inside the plot so that no name is cut. */
export function drawCounters(timeline: Timeline, top: number, height: number, scale: TimeScale): string {
  const parts: string[] = [];
  timeline.executors.forEach((executor, i) => {
    const rowTop = top + i * height;
    const points = timeline.counters.filter((c) => c.executor === executor);
    const max = Math.max(1, ...points.map((p) => p.ready));
    const y = (ready: number): number => rowTop + height - 4 - (ready / max) * (height - 22);
    let d = `M${f(scale.x0)},${f(y(0))}`;
    for (const point of points) d += ` H${f(scale.x(point.time))} V${f(y(point.ready))}`;
    d += ` H${f(scale.x1)}`;
    parts.push(`<text class="caption" x="${f(scale.x0)}" y="${String(rowTop + 11)}">${escapeHtml(`ready tasks of ${executor}: at most ${String(max)}`)}</text>`);
    parts.push(`<path class="ready-count" d="${d}" fill="none" stroke="#56616e" stroke-width="1.5"/>`);
  });
  return parts.join('\n');
}

function describeRun(run: { count: number; only: { start: number; end: number } | undefined }): string {
  return run.only === undefined ? `${String(run.count)} spans merged` : formatMs(run.only.end - run.only.start);
}

function describeTask(input: TaskRowInput): string {
  const { task } = input;
  const sum = (spans: readonly { start: number; end: number }[]): string => formatMs(spans.reduce((total, span) => total + span.end - span.start, 0));
  const settled = task.outcome === undefined ? 'not settled when the recording ended' : `${task.outcome} after ${formatMs(task.end - task.start)}`;
  return (
    `${task.label} (${task.body}) on ${task.executor}: ${String(input.slices.length)} step(s) taking ${sum(input.slices)}, ` +
    `parked ${sum(input.waits.filter((w) => w.kind === 'parked'))}, ready ${sum(input.waits.filter((w) => w.kind === 'ready'))}; ${settled}` +
    (task.steals.length > 0 ? `; stolen ${String(task.steals.length)}×` : '') +
    (input.inCycle ? '; in a wait cycle' : '')
  );
}
