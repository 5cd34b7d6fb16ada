import { buildTimeline } from '@spindle/diagnostics';
import type { Recording, TimelineSlice } from '@spindle/diagnostics';

/** Above this many tasks, "what ran when" is summed per thread instead of listed per task. */
const MAX_TASK_LINES = 8;

const ms = (value: number): string => `${value.toFixed(1).padStart(7)} ms`;

/**
 * "What ran when", compact: for a few tasks one line each (first step, last step end,
 * steps, threads), for many tasks one line per thread (tasks, steps, busy time). Times
 * are from the first recorded event, read from the same recording the HTML draws.
 */
export function whatRanWhen(recording: Recording): string[] {
  const timeline = buildTimeline(recording);
  if (timeline.slices.length === 0) return ['(no task events recorded)'];
  const origin = timeline.startTime;
  const byTask = groupBy(timeline.slices, (slice) => `${slice.executor}#${String(slice.taskId)}`);
  const threadName = new Map(timeline.threads.map((thread) => [thread.thread, thread.name]));
  if (byTask.size <= MAX_TASK_LINES) {
    return [...byTask.values()].map((slices) => {
      const first = slices[0];
      const start = Math.min(...slices.map((slice) => slice.start));
      const end = Math.max(...slices.map((slice) => slice.end));
      const threads = [...new Set(slices.map((slice) => threadName.get(slice.thread) ?? String(slice.thread)))];
      const label = first === undefined ? '?' : first.label;
      return `${ms(start - origin)} → ${ms(end - origin)}  ${label.padEnd(22)} ${String(slices.length).padStart(3)} step(s) on ${threads.join(', ')}`;
    });
  }
  const byThread = groupBy(timeline.slices, (slice) => String(slice.thread));
  const steals = timeline.flows.filter((flow) => flow.kind === 'steal').length;
  const lines = [...byThread.values()].map((slices) => {
    const thread = slices[0]?.thread ?? 0;
    const busy = slices.reduce((sum, slice) => sum + (slice.end - slice.start), 0);
    const tasks = new Set(slices.map((slice) => slice.taskId)).size;
    const start = Math.min(...slices.map((slice) => slice.start));
    const end = Math.max(...slices.map((slice) => slice.end));
    return `${(threadName.get(thread) ?? String(thread)).padEnd(18)} ${String(tasks).padStart(4)} tasks ${String(slices.length).padStart(5)} steps, busy ${ms(busy)} between ${ms(start - origin)} and ${ms(end - origin)}`;
  });
  return [...lines, `${String(steals)} task(s) moved by steals (steal events: one per task moved, ▼ on the timeline)`];
}

function groupBy(slices: readonly TimelineSlice[], key: (slice: TimelineSlice) => string): Map<string, TimelineSlice[]> {
  const groups = new Map<string, TimelineSlice[]>();
  for (const slice of slices) {
    const k = key(slice);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [slice]);
    else group.push(slice);
  }
  return groups;
}
