import type { Detector, ThresholdOptions } from './detector-options.js';
import { deliver, describeFindingTask, findingTask, warnFinding } from './finding.js';
import type { FindingListener } from './finding.js';
import { formatMs } from './format.js';
import { subscribeTaskEvents } from './task-event-source.js';
import { TaskTracker } from './task-tracker.js';
import { checkThreshold } from './threshold.js';

/**
 * Reports a step that held its thread longer than `thresholdMs`: a body that does too
 * much between yield points (or blocks). Reported when the step ends, naming the task and
 * its body. (A step that never ends is a blocked loop: see {@link BlockedLoopDetector}.)
 */
export class LongStepDetector implements Detector {
  readonly thresholdMs: number;
  private readonly onFinding: FindingListener;
  private readonly workers: boolean;
  private unsubscribe: (() => void) | undefined = undefined;

  /** @throws InvalidOptionsError for a threshold that is not a positive number */
  constructor(options: ThresholdOptions) {
    this.thresholdMs = checkThreshold('thresholdMs', options.thresholdMs);
    this.onFinding = options.onFinding ?? warnFinding;
    this.workers = options.workers ?? true;
  }

  start(): this {
    if (this.unsubscribe !== undefined) return this;
    const tracker = new TaskTracker({
      stepEnded: (step) => {
        const durationMs = step.end - step.start;
        if (durationMs <= this.thresholdMs || step.ended === 'open') return;
        const task = findingTask(step.task);
        const where = step.thread === 0 ? 'the main thread' : `worker thread ${step.thread}`;
        deliver(this.onFinding, {
          kind: 'long-step',
          ...task,
          thread: step.thread,
          durationMs,
          thresholdMs: this.thresholdMs,
          time: step.end,
          message: `long step: ${describeFindingTask(task)} ran one step for ${formatMs(durationMs)} on ${where} (threshold ${formatMs(this.thresholdMs)}); it held the thread without reaching a yield point`,
        });
      },
    });
    this.unsubscribe = subscribeTaskEvents((event) => {
      tracker.handle(event);
    }, { workers: this.workers });
    return this;
  }

  stop(): this {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    return this;
  }
}
