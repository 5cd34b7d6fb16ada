import { BlockedLoopDetector } from './blocked-loop-detector.js';
import type { Detector } from './detector-options.js';
import { warnFinding } from './finding.js';
import type { FindingListener } from './finding.js';
import { LongStepDetector } from './long-step-detector.js';
import { LostWakeupDetector } from './lost-wakeup-detector.js';
import { StarvationDetector } from './starvation-detector.js';
import { WaitCycleDetector } from './wait-cycle-detector.js';

/** Which detectors {@link watch} starts: each is off unless given. */
export interface WatchOptions {
  /** Receives every finding. Default: `process.emitWarning` (type `SpindleDiagnosticsWarning`). */
  readonly onFinding?: FindingListener;
  /** Also watch events forwarded from worker threads. Default `true`. */
  readonly workers?: boolean;
  /** Report the blocking stack when the main thread's loop stands still this long (ms). */
  readonly blockedLoopMs?: number;
  /** Also write blocked-loop reports to stderr from the watchdog at once. Default `false`. */
  readonly blockedLoopStderr?: boolean;
  /** Report a step longer than this (ms). */
  readonly longStepMs?: number;
  /** Report a ready task that waited longer than this for a thread (ms). */
  readonly starvationMs?: number;
  /** Report parked tasks nothing can wake; the value is the grace period after what they wait on settled (ms). */
  readonly lostWakeupMs?: number;
  /** Report tasks waiting on each other in a cycle. */
  readonly waitCycles?: boolean;
}

/** What {@link watch} returns. */
export interface Watcher {
  /** The detectors started. */
  readonly detectors: readonly (Detector | BlockedLoopDetector)[];
  /** Resolves once every detector is active (the blocked-loop watchdog thread has started). */
  ready(): Promise<void>;
  /** Stops every detector. */
  stop(): void;
  [Symbol.dispose](): void;
}

/**
 * Starts the detectors named in `options`, all reporting to one listener:
 *
 * ```ts
 * const watcher = watch({ blockedLoopMs: 200, longStepMs: 50, waitCycles: true, onFinding: (f) => log.warn(f.message) });
 * ```
 * @throws InvalidOptionsError for a threshold that is not a positive number
 */
export function watch(options: WatchOptions): Watcher {
  const onFinding = options.onFinding ?? warnFinding;
  const common = { onFinding, workers: options.workers ?? true };
  const detectors: (Detector | BlockedLoopDetector)[] = [];
  if (options.longStepMs !== undefined) detectors.push(new LongStepDetector({ ...common, thresholdMs: options.longStepMs }));
  if (options.starvationMs !== undefined) detectors.push(new StarvationDetector({ ...common, thresholdMs: options.starvationMs }));
  if (options.lostWakeupMs !== undefined) detectors.push(new LostWakeupDetector({ ...common, thresholdMs: options.lostWakeupMs }));
  if (options.waitCycles === true) detectors.push(new WaitCycleDetector(common));
  let blocked: BlockedLoopDetector | undefined;
  if (options.blockedLoopMs !== undefined) {
    blocked = new BlockedLoopDetector({ onFinding, thresholdMs: options.blockedLoopMs, stderr: options.blockedLoopStderr ?? false });
    detectors.push(blocked);
  }
  for (const detector of detectors) detector.start();
  const stop = (): void => {
    for (const detector of detectors) detector.stop();
  };
  return { detectors, ready: () => blocked?.watching() ?? Promise.resolve(), stop, [Symbol.dispose]: stop };
}
