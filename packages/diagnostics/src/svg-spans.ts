// Pieces of SVG the timeline is drawn with: merged spans, text that fits, numbers.

/** Something drawn from one time to another. */
export interface TimeSpan {
  readonly start: number;
  readonly end: number;
}

/** A horizontal run of pixels standing for one span or several merged. */
export interface PixelRun<T extends TimeSpan> {
  readonly x1: number;
  x2: number;
  count: number;
  /** The span, when the run stands for exactly one. */
  only: T | undefined;
}

/**
 * Spans (sorted by start) as pixel runs at least `minWidth` wide; runs that touch or are
 * closer than half a pixel merge, so that a million steps stay a light drawing.
 */
export function mergeSpans<T extends TimeSpan>(spans: readonly T[], x: (time: number) => number, minWidth: number): PixelRun<T>[] {
  const runs: PixelRun<T>[] = [];
  let last: PixelRun<T> | undefined;
  for (const span of spans) {
    const x1 = x(span.start);
    const x2 = Math.max(x(span.end), x1 + minWidth);
    if (last !== undefined && x1 - last.x2 < 0.5) {
      last.x2 = Math.max(last.x2, x2);
      last.count++;
      last.only = undefined;
      continue;
    }
    last = { x1, x2, count: 1, only: span };
    runs.push(last);
  }
  return runs;
}

/**
 * About how wide 11 px system-ui text is: generous (DejaVu Sans, Debian's default, is
 * wide), so that a gutter sized by it holds the text it was sized for.
 */
export function textWidth(text: string): number {
  return text.length * 6.9;
}

/** Labels longer than this are cut (the whole text stays in the tooltip). */
export const MAX_LABEL = 44;

/** `text`, or its first characters and an ellipsis when it is longer than `max`. */
export function shorten(text: string, max: number = MAX_LABEL): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A coordinate with at most two decimals. */
export function f(value: number): string {
  return (Math.round(value * 100) / 100).toString();
}
