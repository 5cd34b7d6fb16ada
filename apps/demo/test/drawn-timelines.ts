import type { TaskEvent } from '@spindle/core';

/** A span drawn in an SVG, in its pixels. */
export interface DrawnSpan {
  readonly x: number;
  readonly width: number;
}

/** One timeline SVG of a report, read from its markup: its scale, and per task row its parked spans. */
export interface DrawnTimeline {
  readonly x: (time: number) => number;
  readonly parked: ReadonlyMap<string, readonly DrawnSpan[]>;
  readonly blocked: readonly DrawnSpan[];
}

const number = (text: string | undefined): number => Number(text ?? Number.NaN);

/** Every timeline SVG in `html`, read as the browser would draw it (by the attributes, no layout needed). */
export function drawnTimelines(html: string): DrawnTimeline[] {
  return [...html.matchAll(/<svg [^>]*data-t0="([^"]+)" data-t1="([^"]+)" data-x0="([^"]+)" data-x1="([^"]+)">([\s\S]*?)<\/svg>/g)].map((svg) => {
    const [t0, t1, x0, x1] = [svg[1], svg[2], svg[3], svg[4]].map(number) as [number, number, number, number];
    const body = svg[5] ?? '';
    const spans = (markup: string, cls: string): DrawnSpan[] =>
      [...markup.matchAll(new RegExp(`<rect class="${cls}" x="([\\d.]+)" y="[\\d.]+" width="([\\d.]+)"`, 'g'))].map((m) => ({ x: number(m[1]), width: number(m[2]) }));
    const parked = new Map<string, DrawnSpan[]>();
    for (const row of body.matchAll(/<g class="task" data-task="([^"]+)">([\s\S]*?)<\/g>/g)) parked.set(row[1] ?? '', spans(row[2] ?? '', 'wait parked'));
    return { x: (time) => x0 + ((time - t0) / (t1 - t0)) * (x1 - x0), parked, blocked: spans(body, 'blocked') };
  });
}

/** Parked spans read straight from the events: from a `suspend` with reason `wait` to the task's next event. */
export function parkedSpans(events: readonly TaskEvent[]): { key: string; start: number; end: number }[] {
  const open = new Map<string, number>();
  const spans: { key: string; start: number; end: number }[] = [];
  for (const event of events) {
    const key = `${event.executor}#${String(event.taskId)}`;
    const start = open.get(key);
    if (start !== undefined && event.kind !== 'suspend' && event.kind !== 'steal') {
      spans.push({ key, start, end: event.time });
      open.delete(key);
    }
    if (event.kind === 'suspend' && event.reason === 'wait') open.set(key, event.time);
  }
  return spans;
}
