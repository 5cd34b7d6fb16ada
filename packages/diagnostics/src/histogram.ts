import { createHistogram } from 'node:perf_hooks';
import type { RecordableHistogram } from 'node:perf_hooks';

/** A distribution of durations, in milliseconds. */
export interface HistogramSummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Durations in an HDR histogram (Node's own `perf_hooks.createHistogram`): constant
 * memory however many values are recorded. Stored in nanoseconds, reported in ms.
 */
export class DurationHistogram {
  private readonly histogram: RecordableHistogram = createHistogram();
  private recorded = 0;

  /** Records a duration in milliseconds (sub-microsecond values count as 1 ns). */
  record(ms: number): void {
    this.histogram.record(Math.max(1, Math.round(ms * 1e6)));
    this.recorded++;
  }

  summary(): HistogramSummary {
    if (this.recorded === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    const h = this.histogram;
    const ms = (ns: number): number => ns / 1e6;
    return {
      count: this.recorded,
      min: ms(h.min),
      mean: ms(h.mean),
      p50: ms(h.percentile(50)),
      p90: ms(h.percentile(90)),
      p99: ms(h.percentile(99)),
      max: ms(h.max),
    };
  }
}
