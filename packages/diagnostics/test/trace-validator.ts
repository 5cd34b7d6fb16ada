import type { ChromeTrace, TraceEvent } from '../src/index.js';

/**
 * Checks a trace the way a viewer reads it: required fields per phase, slices that nest
 * properly on each thread, and every flow start matched by exactly one flow end.
 * Returns the problems found (none for a valid trace).
 */
export function validateTrace(trace: ChromeTrace): string[] {
  const problems: string[] = [];
  const json: unknown = JSON.parse(JSON.stringify(trace));
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { traceEvents?: unknown }).traceEvents)) {
    return ['traceEvents is not an array'];
  }
  const events = (json as { traceEvents: TraceEvent[] }).traceEvents;
  const flows = new Map<number, { s: TraceEvent[]; f: TraceEvent[] }>();
  const slicesByThread = new Map<number, TraceEvent[]>();
  events.forEach((event, i) => {
    const where = `event ${i} (${event.ph} ${event.name})`;
    if (typeof event.name !== 'string') problems.push(`${where}: no name`);
    if (typeof event.pid !== 'number') problems.push(`${where}: no pid`);
    if (!['X', 's', 'f', 'C', 'M', 'i'].includes(event.ph)) problems.push(`${where}: unknown ph`);
    if (event.ph !== 'M' && (typeof event.ts !== 'number' || !Number.isFinite(event.ts) || event.ts < 0)) problems.push(`${where}: bad ts`);
    if ((event.ph === 'X' || event.ph === 's' || event.ph === 'f') && typeof event.tid !== 'number') problems.push(`${where}: no tid`);
    if (event.ph === 'X') {
      if (typeof event.dur !== 'number' || event.dur < 0) problems.push(`${where}: bad dur`);
      const list = slicesByThread.get(event.tid ?? -1) ?? [];
      list.push(event);
      slicesByThread.set(event.tid ?? -1, list);
    }
    if (event.ph === 's' || event.ph === 'f') {
      if (typeof event.id !== 'number') problems.push(`${where}: flow without id`);
      const entry = flows.get(event.id ?? -1) ?? { s: [], f: [] };
      entry[event.ph].push(event);
      flows.set(event.id ?? -1, entry);
    }
    if (event.ph === 'C' && (event.args === undefined || Object.values(event.args).some((v) => typeof v !== 'number'))) {
      problems.push(`${where}: counter args must be numbers`);
    }
    if (event.ph === 'M' && typeof event.args?.name !== 'string' && typeof event.args?.sort_index !== 'number') {
      problems.push(`${where}: metadata without a value`);
    }
  });
  for (const [id, { s, f }] of flows) {
    if (s.length !== 1 || f.length !== 1) problems.push(`flow ${id}: ${s.length} starts, ${f.length} ends`);
    const start = s[0];
    const end = f[0];
    if (start !== undefined && end !== undefined) {
      if (start.name !== end.name || start.cat !== end.cat) problems.push(`flow ${id}: start and end differ in name or cat`);
      if ((end.ts ?? 0) < (start.ts ?? 0)) problems.push(`flow ${id}: ends before it starts`);
      // The end binds to the slice that begins at its timestamp on its thread.
      const target = (slicesByThread.get(end.tid ?? -1) ?? []).some((x) => x.ts === end.ts && x.cat === 'step');
      if (!target) problems.push(`flow ${id}: no step slice starts where it ends`);
    }
  }
  for (const [tid, slices] of slicesByThread) {
    // Balanced: sorted by start, each slice either ends before the next starts or contains it.
    const sorted = [...slices].sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0) || (b.dur ?? 0) - (a.dur ?? 0));
    const stack: number[] = [];
    for (const slice of sorted) {
      const start = slice.ts ?? 0;
      const end = start + (slice.dur ?? 0);
      while (stack.length > 0 && (stack.at(-1) ?? 0) <= start) stack.pop();
      const parentEnd = stack.at(-1);
      if (parentEnd !== undefined && end > parentEnd + 1e-6) problems.push(`thread ${tid}: slice ${slice.name} at ${start} overlaps its neighbour`);
      stack.push(end);
    }
  }
  return problems;
}
