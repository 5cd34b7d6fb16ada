/** Figures over a {@link TimingWindow}'s samples, in milliseconds. */
export interface TimingSummary {
  /** Samples the figures cover (at most the window's size). */
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

const empty: TimingSummary = Object.freeze({ count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 });

/**
 * The latest durations of something (a task's wait before its first step, its run time),
 * in a fixed ring: adding one costs two array writes, and the figures are computed only
 * when asked for.
 */
export class TimingWindow {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;

  /** @param size how many of the latest samples the figures cover */
  constructor(size = 1024) {
    this.samples = new Float64Array(size);
  }

  /** Adds a duration in milliseconds. */
  add(ms: number): void {
    this.samples[this.next] = ms;
    this.next = this.next + 1 === this.samples.length ? 0 : this.next + 1;
    if (this.filled < this.samples.length) this.filled++;
  }

  /** Count, mean, percentiles (nearest rank) and maximum of the samples in the window. */
  summary(): TimingSummary {
    const n = this.filled;
    if (n === 0) return empty;
    const sorted = this.samples.slice(0, n).sort();
    let sum = 0;
    for (const value of sorted) sum += value;
    const rank = (p: number): number => sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)] ?? 0;
    return { count: n, mean: sum / n, p50: rank(50), p90: rank(90), p99: rank(99), max: sorted[n - 1] ?? 0 };
  }
}
