import type { Finding, Recording } from '@spindle/diagnostics';

/** A piece of a stage's recording drawn with its own time axis. */
export interface TimelinePart {
  /** The executor it holds when the stage ran several one after another; undefined for a whole recording. */
  readonly executor: string | undefined;
  readonly recording: Recording;
  readonly findings: readonly Finding[];
}

/**
 * A stage that runs several executors one after another (stage 8: a blocked loop of a
 * second, then a wait cycle of a millisecond) is drawn as one timeline per executor, each
 * scaled to its own activity: on one shared axis the short part would be a sliver. A
 * recording whose executors' activity overlaps stays whole. Each finding goes with the
 * part it is about: a wait cycle with its tasks' executor, a blocked loop with the part
 * its time range overlaps most.
 */
export function timelineParts(recording: Recording, findings: readonly Finding[]): TimelinePart[] {
  const ranges = new Map<string, { start: number; end: number }>();
  for (const event of recording.events) {
    const range = ranges.get(event.executor);
    if (range === undefined) ranges.set(event.executor, { start: event.time, end: event.time });
    else range.end = Math.max(range.end, event.time);
  }
  const ordered = [...ranges].sort((a, b) => a[1].start - b[1].start);
  const apart = ordered.every(([, range], i) => i === 0 || (ordered[i - 1]?.[1].end ?? Infinity) < range.start);
  if (ordered.length < 2 || !apart) return [{ executor: undefined, recording, findings }];
  return ordered.map(([executor, range]) => ({
    executor,
    recording: {
      events: recording.events.filter((event) => event.executor === executor),
      dropped: recording.dropped,
      startTime: range.start,
      endTime: range.end,
    },
    findings: findings.filter((finding) => belongsTo(finding, executor, range, ranges)),
  }));
}

function belongsTo(finding: Finding, executor: string, range: { start: number; end: number }, ranges: ReadonlyMap<string, { start: number; end: number }>): boolean {
  switch (finding.kind) {
    case 'wait-cycle':
      return finding.cycle.some((task) => task.executor === executor);
    case 'blocked-event-loop': {
      const overlap = (r: { start: number; end: number }): number => Math.min(r.end, finding.time) - Math.max(r.start, finding.since);
      const best = Math.max(...[...ranges.values()].map(overlap));
      return overlap(range) === best;
    }
    default:
      return finding.executor === executor;
  }
}
