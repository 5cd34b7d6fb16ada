/**
 * One measurement: the shape every suite's rows take, so runs compare across suites,
 * runs and machines.
 */
export interface Measurement {
  readonly suite: string;
  readonly case: string;
  /** `spindle/<package>`, a peer's npm name, or a baseline: `hand-written`, `native`. */
  readonly subject: string;
  /** What was measured, e.g. `time per step`. */
  readonly metric: string;
  /** Median over all samples (`NaN`, written as `null`, for a subject that failed). */
  readonly median: number;
  readonly unit: string;
  /** How many samples the median is taken over. */
  readonly samples: number;
  /**
   * Every sample, in `unit` per operation, in the order taken (4 significant digits: the
   * noise is larger). Lets a reader check the spread and recompute the median. Absent on
   * extra figures, which are derived from the time rows.
   */
  readonly values?: readonly number[];
  /** Set when the subject could not do the work: the error it threw, e.g. `RangeError: Maximum call stack size exceeded`. */
  readonly failed?: string;
}

/**
 * A ratio between two measurements of the same case in the same run: each subject over the
 * case's baseline, and, in cases with a focus subject, each other subject over the focus.
 */
export interface Comparison {
  readonly suite: string;
  readonly case: string;
  readonly subject: string;
  /** The case's baseline, or its focus subject. */
  readonly baseline: string;
  /** subject ÷ baseline: above 1 is slower than the baseline (for time; for an extra figure, see `metric`). */
  readonly ratio: number;
  /** Set on ratios between extra figures (not times per operation): the metric divided. */
  readonly metric?: string;
  /**
   * Set when every subject was measured in processes of its own (`--isolate`): `ratio` is the
   * geometric mean of `processes` paired ratios, and this its 95% confidence interval.
   */
  readonly interval?: { readonly low: number; readonly high: number; readonly processes: number };
}

/** Facts about where the figures were measured. */
export interface MachineFacts {
  readonly cpuModel: string;
  /** Logical cores the OS reports. */
  readonly cores: number;
  readonly availableParallelism: number;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly arch: string;
  readonly osRelease: string;
  readonly node: string;
  readonly v8: string;
}

/** What `results/latest.json` holds. */
export interface RunResults {
  readonly schema: 1;
  readonly generatedAt: string;
  /** The repository commit measured, when known. */
  readonly commit: string | undefined;
  /** True when the working tree had changes not in `commit` (what ran was built from them). */
  readonly dirty: boolean | undefined;
  /** `cases`: the case-name prefixes asked for (empty = all); `isolate`: processes per subject (0 = one process for all). */
  readonly options: {
    readonly quick: boolean;
    readonly threads: number;
    readonly suites: readonly string[];
    readonly cases?: readonly string[];
    readonly isolate?: number;
  };
  readonly machine: MachineFacts;
  /** Versions of Spindle's packages and peers the suites ran. */
  readonly packages: Readonly<Record<string, string>>;
  readonly rows: readonly Measurement[];
  readonly ratios: readonly Comparison[];
}
