// The time axis of the HTML timeline: epoch milliseconds to pixels, and round ticks.

/** One labelled tick of the time axis. */
export interface Tick {
  readonly x: number;
  readonly label: string;
}

/** Maps times in `[t0, t1]` onto pixels `[x0, x1]`. */
export interface TimeScale {
  readonly t0: number;
  readonly t1: number;
  readonly x0: number;
  readonly x1: number;
  readonly x: (time: number) => number;
  /** Round times from `t0` (0, 100 ms, 200 ms…), about one per 110 px. */
  readonly ticks: readonly Tick[];
}

/** A scale over `[t0, t1]` (widened to 1 µs if empty) drawn on `[x0, x1]`. */
export function timeScale(t0: number, t1: number, x0: number, x1: number): TimeScale {
  const span = Math.max(t1 - t0, 1e-3);
  const x = (time: number): number => x0 + ((time - t0) / span) * (x1 - x0);
  const step = niceStep(span / Math.max(2, Math.floor((x1 - x0) / 110)));
  const ticks: Tick[] = [];
  for (let at = 0; at <= span + step * 1e-9; at += step) ticks.push({ x: x(t0 + at), label: tickLabel(at, step) });
  return { t0, t1: t0 + span, x0, x1, x, ticks };
}

/** The smallest of 1, 2 or 5 × 10^k at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= raw * (1 - 1e-9)) return factor * power;
  return 10 * power;
}

/** `at` in the unit the step reads best in, with as many decimals as the step needs. */
function tickLabel(at: number, step: number): string {
  if (at === 0) return '0';
  const [scale, unit] = step >= 1000 ? [1 / 1000, 's'] : step >= 1 ? [1, 'ms'] : [1000, 'µs'];
  const decimals = Math.max(0, -Math.floor(Math.log10(step * scale) + 1e-9));
  return `${(at * scale).toFixed(decimals)} ${unit}`;
}
