import type { FindingListener } from './finding.js';

/** Options every event-based detector takes. */
export interface DetectorOptions {
  /** Receives each finding. Default: `process.emitWarning` (type `SpindleDiagnosticsWarning`). */
  readonly onFinding?: FindingListener;
  /** Also watch events forwarded from worker threads. Default `true`. */
  readonly workers?: boolean;
}

/** Options of a detector with a time threshold. */
export interface ThresholdOptions extends DetectorOptions {
  /** Milliseconds beyond which the detector reports. */
  readonly thresholdMs: number;
}

/** A detector: started, then stopped. Detectors never throw into the program they watch. */
export interface Detector {
  start(): this;
  stop(): this;
}
