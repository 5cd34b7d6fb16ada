/** Two-sided 95% quantiles of Student's t distribution, for 1 to 30 degrees of freedom. */
const T95: readonly number[] = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08,
  2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The two-sided 95% quantile of t with `df` degrees of freedom (beyond the table, the normal quantile corrected for `df`). */
export function t95(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`t95: degrees of freedom must be a whole number of at least 1, got ${String(df)}`);
  const z = 1.959964;
  return T95[df - 1] ?? z + (z ** 3 + z) / (4 * df);
}

/** A ratio and its 95% confidence interval. */
export interface RatioInterval {
  /** The geometric mean of the ratios. */
  readonly ratio: number;
  readonly low: number;
  readonly high: number;
  /** How many ratios it is taken over. */
  readonly count: number;
}

/**
 * The geometric mean of paired ratios (subject ÷ baseline, one per pair of processes) and
 * its 95% confidence interval: Student's t on the ratios' logarithms, where a slowdown and
 * the same speed-up weigh the same.
 *
 * @throws RangeError with fewer than two ratios, or a ratio that is not a positive finite number
 */
export function ratioInterval(ratios: readonly number[]): RatioInterval {
  if (ratios.length < 2) throw new RangeError(`ratioInterval: needs at least 2 ratios, got ${String(ratios.length)}`);
  const bad = ratios.find((ratio) => !Number.isFinite(ratio) || ratio <= 0);
  if (bad !== undefined) throw new RangeError(`ratioInterval: every ratio must be a positive finite number, got ${String(bad)}`);
  const logs = ratios.map(Math.log);
  const mean = logs.reduce((sum, value) => sum + value, 0) / logs.length;
  const variance = logs.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (logs.length - 1);
  const half = (t95(logs.length - 1) * Math.sqrt(variance)) / Math.sqrt(logs.length);
  return { ratio: Math.exp(mean), low: Math.exp(mean - half), high: Math.exp(mean + half), count: ratios.length };
}
