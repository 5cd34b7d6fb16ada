import { eventTime } from '@spindle/core/events';
import type { Detector, DetectorOptions } from './detector-options.js';
import { deliver, describeFindingTask, findingTask, warnFinding } from './finding.js';
import type { FindingListener } from './finding.js';
import { formatMs } from './format.js';
import { subscribeTaskEvents } from './task-event-source.js';
import { TaskTracker, taskKey } from './task-tracker.js';
import type { TrackedTask } from './task-tracker.js';
import { checkThreshold } from './threshold.js';

/** Options of {@link LostWakeupDetector}. */
export interface LostWakeupOptions extends DetectorOptions {
  /**
   * How long a task parked on a task that has settled may go without a wake before it is
   * reported. Default 1000.
   */
  readonly thresholdMs?: number;
}

/**
 * Reports parked tasks that nothing can resume any more. Two signs, both certain rather
 * than guessed from time alone:
 *
 * - **the event loop ran empty** (`process` `beforeExit`): no timer, socket, promise job or
 *   worker is left that could settle what a parked task waits for, so every task still
 *   parked is lost (typically it awaits a promise nobody will ever resolve). The program
 *   is about to exit with those tasks unsettled.
 * - **what it waited on settled, but no wake came** within `thresholdMs`: the task
 *   parked on a task handle (core's `waitingOn`), that task settled, and the waiter was
 *   never woken — an executor bug.
 *
 * Tasks parked inside workers whose threads keep the process alive are only caught by
 * the second sign.
 */
export class LostWakeupDetector implements Detector {
  readonly thresholdMs: number;
  private readonly onFinding: FindingListener;
  private readonly workers: boolean;
  private stopper: (() => void) | undefined = undefined;

  /** @throws InvalidOptionsError for a threshold that is not a positive number */
  constructor(options?: LostWakeupOptions) {
    this.thresholdMs = checkThreshold('thresholdMs', options?.thresholdMs ?? 1000);
    this.onFinding = options?.onFinding ?? warnFinding;
    this.workers = options?.workers ?? true;
  }

  start(): this {
    if (this.stopper !== undefined) return this;
    const waitingOn = new Map<TrackedTask, string>();
    const settledAt = new Map<string, number>();
    const reported = new WeakSet<TrackedTask>();
    const tracker = new TaskTracker({
      parked: (task, event) => {
        if (event.kind === 'suspend' && event.waitingOn !== undefined) waitingOn.set(task, taskKey(task.executor, event.waitingOn));
      },
      settled: (task, time) => {
        waitingOn.delete(task);
        const key = taskKey(task.executor, task.id);
        for (const target of waitingOn.values()) {
          if (target === key) {
            settledAt.set(key, time);
            break;
          }
        }
      },
    });
    const unsubscribe = subscribeTaskEvents((event) => {
      // Any event of a task ends what it waited on; a new park records it again.
      const task = tracker.find(event.executor, event.taskId);
      if (task !== undefined && event.kind !== 'steal') waitingOn.delete(task);
      tracker.handle(event);
    }, { workers: this.workers });
    const report = (task: TrackedTask, reason: 'event-loop-empty' | 'settled-without-wake', now: number): void => {
      if (reported.has(task)) return;
      reported.add(task);
      const info = findingTask(task);
      const target = waitingOn.get(task);
      const waitedId = target === undefined ? undefined : Number(target.slice(target.lastIndexOf('#') + 1));
      const parkedMs = now - task.parkedSince;
      const why =
        reason === 'event-loop-empty'
          ? 'the event loop has nothing left that could settle what it waits for (a promise nobody resolves?); it will never resume'
          : `task #${String(waitedId)}, which it waits on, settled but it was not woken`;
      deliver(this.onFinding, {
        kind: 'lost-wake-up',
        ...info,
        reason,
        waitingOn: waitedId,
        parkedMs,
        time: now,
        message: `lost wake-up: ${describeFindingTask(info)} has been parked for ${formatMs(parkedMs)} and ${why}`,
      });
    };
    const onBeforeExit = (): void => {
      const now = eventTime();
      for (const task of tracker.all()) if (task.state === 'parked') report(task, 'event-loop-empty', now);
    };
    process.on('beforeExit', onBeforeExit);
    const timer = setInterval(() => {
      if (settledAt.size === 0) return;
      const now = eventTime();
      for (const [task, target] of waitingOn) {
        const at = settledAt.get(target);
        if (at !== undefined && task.state === 'parked' && now - at > this.thresholdMs) report(task, 'settled-without-wake', now);
      }
      // Forget settlements nobody waits on any more.
      const targets = new Set(waitingOn.values());
      for (const key of settledAt.keys()) if (!targets.has(key)) settledAt.delete(key);
    }, Math.max(1, this.thresholdMs / 2));
    timer.unref();
    this.stopper = () => {
      unsubscribe();
      process.off('beforeExit', onBeforeExit);
      clearInterval(timer);
    };
    return this;
  }

  stop(): this {
    this.stopper?.();
    this.stopper = undefined;
    return this;
  }
}
