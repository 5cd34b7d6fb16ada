import { eventTime } from '@spindle/core/events';
import type { Detector, ThresholdOptions } from './detector-options.js';
import { deliver, describeFindingTask, findingTask, warnFinding } from './finding.js';
import type { FindingListener } from './finding.js';
import { formatMs } from './format.js';
import { subscribeTaskEvents } from './task-event-source.js';
import { TaskTracker } from './task-tracker.js';
import type { TrackedTask } from './task-tracker.js';
import { checkThreshold } from './threshold.js';

/**
 * Reports a ready task that waited longer than `thresholdMs` for a thread: when it finally
 * runs, or — checked every `thresholdMs / 2` on an unref'd timer — while it still waits.
 * Each wait is reported once.
 */
export class StarvationDetector implements Detector {
  readonly thresholdMs: number;
  private readonly onFinding: FindingListener;
  private readonly workers: boolean;
  private unsubscribe: (() => void) | undefined = undefined;
  private timer: NodeJS.Timeout | undefined = undefined;
  /** Tasks already reported for their current wait (keyed by the wait's start). */
  private readonly reported = new WeakMap<TrackedTask, number>();

  /** @throws InvalidOptionsError for a threshold that is not a positive number */
  constructor(options: ThresholdOptions) {
    this.thresholdMs = checkThreshold('thresholdMs', options.thresholdMs);
    this.onFinding = options.onFinding ?? warnFinding;
    this.workers = options.workers ?? true;
  }

  start(): this {
    if (this.unsubscribe !== undefined) return this;
    const tracker = new TaskTracker({
      ran: (task, delay, time) => {
        if (delay > this.thresholdMs) this.report(task, delay, time, true);
      },
    });
    this.unsubscribe = subscribeTaskEvents((event) => {
      tracker.handle(event);
    }, { workers: this.workers });
    this.timer = setInterval(() => {
      const now = eventTime();
      for (const task of tracker.all()) {
        if (task.state === 'ready' && now - task.readySince > this.thresholdMs) this.report(task, now - task.readySince, now, false);
      }
    }, Math.max(1, this.thresholdMs / 2));
    this.timer.unref();
    return this;
  }

  stop(): this {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
    return this;
  }

  private report(task: TrackedTask, waitedMs: number, time: number, ran: boolean): void {
    if (this.reported.get(task) === task.readySince) return;
    this.reported.set(task, task.readySince);
    const info = findingTask(task);
    deliver(this.onFinding, {
      kind: 'starvation',
      ...info,
      waitedMs,
      thresholdMs: this.thresholdMs,
      ran,
      time,
      message: `starvation: ${describeFindingTask(info)} was ready but ${ran ? 'waited' : 'has been waiting'} ${formatMs(waitedMs)} for a thread (threshold ${formatMs(this.thresholdMs)}); other steps hold the thread too long, or the executor is overloaded`,
    });
  }
}
