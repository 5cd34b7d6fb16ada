import type { BlockedLoopFinding, Finding } from './finding.js';
import { escapeHtml, formatMs } from './format.js';
import { timeScale } from './svg-scale.js';
import type { TimeScale } from './svg-scale.js';
import { f, mergeSpans, shorten, textWidth } from './svg-spans.js';
import { drawCounters, drawTaskRow } from './task-rows-svg.js';
import type { RowBox } from './task-rows-svg.js';
import type { Timeline, TimelineSlice, TimelineThread, TimelineWait } from './timeline.js';
import { TIMELINE_COLORS, threadColor } from './timeline-colors.js';

/** What the SVG of a timeline is drawn from, besides the timeline. */
export interface TimelineSvgOptions {
  readonly width: number;
  readonly findings: readonly Finding[];
  readonly maxTaskRows: number;
}

const AXIS = 26;
const HEADER = 18;
const THREAD_ROW = 24;
const THREAD_BAR = 16;
const COUNTER = 42;
const RIGHT = 16;
const INDENT = 10;
const MAX_DEPTH = 4;

/** `executor#id`: how tasks are told apart (ids are unique per executor). */
export const taskKey = (executor: string, taskId: number): string => `${executor}#${String(taskId)}`;

/**
 * The timeline as one SVG: rows of threads (their steps, coloured by thread, and a blocked
 * event loop as a band), rows of tasks (steps solid, parked time a lighter span, ready
 * time a thin line, steals as triangles), and a ready-queue graph per executor.
 * The root carries the scale (`data-t0`, `data-t1` in epoch ms onto `data-x0`, `data-x1`)
 * so that a test can check where a span was drawn.
 */
export function drawTimelineSvg(timeline: Timeline, options: TimelineSvgOptions): string {
  const blocked = options.findings.filter((finding): finding is BlockedLoopFinding => finding.kind === 'blocked-event-loop');
  const inCycle = new Set(
    options.findings.flatMap((finding) => (finding.kind === 'wait-cycle' ? finding.cycle.map((task) => taskKey(task.executor, task.taskId)) : [])),
  );
  const threads = blocked.length > 0 && !timeline.threads.some((t) => t.thread === 0) ? [{ thread: 0, name: 'main thread' }, ...timeline.threads] : timeline.threads;
  const tasks = timeline.tasks.slice(0, options.maxTaskRows);
  const depth = depths(tasks);
  const taskRow = tasks.length <= 24 ? { row: 20, bar: 12 } : { row: 15, bar: 9 };
  const gutter = Math.min(
    380,
    Math.max(
      110,
      20 + Math.max(...threads.map((t) => textWidth(t.name)), ...tasks.map((t) => textWidth(shorten(t.label)) + INDENT * (depth.get(taskKey(t.executor, t.taskId)) ?? 0)), textWidth('ready queue')),
    ),
  );
  const [t0, t1] = activity(timeline, blocked);
  // Room after the last span for how a task ended, when one was not fulfilled.
  const ended = tasks.map((task) => task.outcome ?? 'fulfilled').filter((outcome) => outcome !== 'fulfilled');
  const right = Math.max(RIGHT, ...ended.map((outcome) => textWidth(outcome) + 8));
  const scale = timeScale(t0, t1, gutter, options.width - right);
  const threadsTop = AXIS + HEADER;
  const tasksTop = threadsTop + threads.length * THREAD_ROW + HEADER;
  const countersTop = tasksTop + tasks.length * taskRow.row + HEADER;
  const height = countersTop + timeline.executors.length * COUNTER + 6;
  const colorOf = new Map(threads.map((t, i) => [t.thread, threadColor(i)]));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${String(options.width)}" height="${String(height)}" viewBox="0 0 ${String(options.width)} ${String(height)}" role="img" data-t0="${String(scale.t0)}" data-t1="${String(scale.t1)}" data-x0="${f(scale.x0)}" data-x1="${f(scale.x1)}">`,
  ];
  // Backgrounds, grid and bands first: every span is drawn over them, in its exact colour.
  threads.forEach((_, i) => parts.push(stripe(threadsTop + i * THREAD_ROW, THREAD_ROW, i, options.width)));
  tasks.forEach((_, i) => parts.push(stripe(tasksTop + i * taskRow.row, taskRow.row, i, options.width)));
  for (const tick of scale.ticks) {
    parts.push(`<line x1="${f(tick.x)}" y1="${String(AXIS - 6)}" x2="${f(tick.x)}" y2="${String(countersTop - HEADER)}" stroke="#e3e6ea"/>`);
    const anchor = tick.x + textWidth(tick.label) / 2 > options.width ? 'end' : 'middle';
    parts.push(`<text class="tick" x="${f(tick.x)}" y="${String(AXIS - 10)}" text-anchor="${anchor}">${escapeHtml(tick.label)}</text>`);
  }
  for (const finding of blocked) {
    const x1 = scale.x(finding.since);
    const w = Math.max(1, scale.x(finding.time) - x1);
    parts.push(`<rect class="blocked-band" x="${f(x1)}" y="${String(tasksTop)}" width="${f(w)}" height="${String(tasks.length * taskRow.row)}" fill="${TIMELINE_COLORS.blocked}" fill-opacity="0.25"/>`);
  }
  parts.push(header('threads', AXIS), header(tasks.length < timeline.tasks.length ? `tasks (the first ${String(tasks.length)} of ${String(timeline.tasks.length)})` : 'tasks', tasksTop - HEADER));
  const slicesByThread = group(timeline.slices, (slice) => String(slice.thread));
  threads.forEach((thread, i) => {
    const box = { top: threadsTop + i * THREAD_ROW, row: THREAD_ROW, bar: THREAD_BAR };
    parts.push(drawThreadRow(thread, box, slicesByThread.get(String(thread.thread)) ?? [], colorOf.get(thread.thread) ?? threadColor(0), scale, timeline));
    if (thread.thread === 0) for (const finding of blocked) parts.push(drawBlocked(finding, box, scale));
  });
  const slicesByTask = group(timeline.slices, (slice) => taskKey(slice.executor, slice.taskId));
  const waitsByTask = group<TimelineWait>(
    [...timeline.waits].sort((a, b) => a.start - b.start),
    (wait) => taskKey(wait.executor, wait.taskId),
  );
  tasks.forEach((task, i) => {
    const key = taskKey(task.executor, task.taskId);
    const box: RowBox = { top: tasksTop + i * taskRow.row, row: taskRow.row, bar: taskRow.bar };
    const indent = 8 + INDENT * (depth.get(key) ?? 0);
    parts.push(drawTaskRow({ task, key, box, indent, inCycle: inCycle.has(key), width: options.width, slices: slicesByTask.get(key) ?? [], waits: waitsByTask.get(key) ?? [], colorOf, scale }));
  });
  parts.push(header('ready queue', countersTop - HEADER), drawCounters(timeline, countersTop, COUNTER, scale), '</svg>');
  return parts.join('\n');
}

/** From the first thing drawn to the last: a stage's own activity, not the recorder's start and stop. */
function activity(timeline: Timeline, blocked: readonly BlockedLoopFinding[]): [number, number] {
  let t0 = Infinity;
  let t1 = -Infinity;
  const cover = (start: number, end: number): void => {
    t0 = Math.min(t0, start);
    t1 = Math.max(t1, end);
  };
  for (const slice of timeline.slices) cover(slice.start, slice.end);
  for (const task of timeline.tasks) cover(task.start, task.end);
  for (const marker of timeline.markers) cover(marker.time, marker.time);
  for (const finding of blocked) cover(finding.since, finding.time);
  return t0 <= t1 ? [t0, t1] : [timeline.startTime, timeline.endTime];
}

/** How deep each task sits under its parent among the rows drawn (children indented). */
function depths(tasks: Timeline['tasks']): Map<string, number> {
  const depth = new Map<string, number>();
  for (const task of tasks) {
    const parent = task.parentId === undefined ? undefined : depth.get(taskKey(task.executor, task.parentId));
    depth.set(taskKey(task.executor, task.taskId), parent === undefined ? 0 : Math.min(MAX_DEPTH, parent + 1));
  }
  return depth;
}

function drawThreadRow(thread: TimelineThread, box: RowBox, slices: readonly TimelineSlice[], fill: string, scale: TimeScale, timeline: Timeline): string {
  const parts = [`<g class="thread" data-thread="${String(thread.thread)}">`, `<text class="label" x="8" y="${f(box.top + box.row / 2 + 4)}">${escapeHtml(thread.name)}</text>`];
  const top = box.top + (box.row - box.bar) / 2;
  for (const run of mergeSpans(slices, scale.x, 2)) {
    const w = run.x2 - run.x1;
    const tip = run.only === undefined ? `${String(run.count)} steps` : describeSlice(run.only);
    parts.push(`<rect class="step" x="${f(run.x1)}" y="${f(top)}" width="${f(w)}" height="${String(box.bar)}" fill="${fill}"><title>${escapeHtml(tip)}</title></rect>`);
    const label = run.only?.label;
    if (label !== undefined && w > textWidth(label) + 8) parts.push(`<text class="in" x="${f(run.x1 + 4)}" y="${f(top + box.bar / 2 + 4)}">${escapeHtml(label)}</text>`);
  }
  for (const marker of timeline.markers) {
    if (marker.thread !== thread.thread) continue;
    const x = f(scale.x(marker.time));
    parts.push(`<line class="marker" x1="${x}" y1="${f(box.top + 4)}" x2="${x}" y2="${f(box.top + box.row - 4)}" stroke="#555"><title>${escapeHtml(marker.label)}</title></line>`);
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** A band over the main thread's row from when its loop last turned to when it turned again, labelled where it fits. */
function drawBlocked(finding: BlockedLoopFinding, box: RowBox, scale: TimeScale): string {
  const x1 = scale.x(finding.since);
  const w = Math.max(1, scale.x(finding.time) - x1);
  const lasted = `event loop blocked ≈ ${formatMs(finding.time - finding.since)}`;
  const where = finding.stack
    .map((frame) => frame.functionName)
    .filter((name) => name !== '')
    .slice(0, 3)
    .join(' ← ');
  const top = box.top + 1;
  const parts = [
    `<rect class="blocked" x="${f(x1)}" y="${f(top)}" width="${f(w)}" height="${String(box.row - 2)}" fill="${TIMELINE_COLORS.blocked}"><title>${escapeHtml(finding.message)}</title></rect>`,
  ];
  const label = [where === '' ? lasted : `${lasted} in ${where}`, lasted].find((text) => textWidth(text) + 8 < w);
  if (label !== undefined) parts.push(`<text class="alarm" x="${f(x1 + 4)}" y="${f(box.top + box.row / 2 + 4)}" fill="${TIMELINE_COLORS.alarm}">${escapeHtml(label)}</text>`);
  return parts.join('\n');
}

function describeSlice(slice: TimelineSlice): string {
  return `${slice.label} (${slice.body}) on ${slice.executor}: ${formatMs(slice.end - slice.start)}, ended by ${slice.ended}${slice.first ? ', first step' : ''}`;
}

function stripe(top: number, height: number, index: number, width: number): string {
  return `<rect x="0" y="${String(top)}" width="${String(width)}" height="${String(height)}" fill="${index % 2 === 0 ? '#f7f8fa' : '#ffffff'}"/>`;
}

function header(text: string, top: number): string {
  return `<text class="header" x="8" y="${String(top + 13)}">${escapeHtml(text)}</text>`;
}

function group<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return groups;
}
