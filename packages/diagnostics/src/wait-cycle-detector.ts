import type { Detector, DetectorOptions } from './detector-options.js';
import { deliver, describeFindingTask, findingTask, warnFinding } from './finding.js';
import type { FindingListener, FindingTask } from './finding.js';
import { subscribeTaskEvents } from './task-event-source.js';
import { TaskTracker, taskKey } from './task-tracker.js';
import type { TrackedTask } from './task-tracker.js';

/**
 * Reports tasks that wait on each other in a cycle (A joins B, B joins A: a deadlock that
 * no event will ever end), with the cycle's members in order. It relies on `waitingOn` in
 * core's suspend event, which executors publish when a step parks on a task handle; waits
 * on plain promises (an `async` body's `await handle`) are not seen.
 */
export class WaitCycleDetector implements Detector {
  private readonly onFinding: FindingListener;
  private readonly workers: boolean;
  private unsubscribe: (() => void) | undefined = undefined;

  constructor(options?: DetectorOptions) {
    this.onFinding = options?.onFinding ?? warnFinding;
    this.workers = options?.workers ?? true;
  }

  start(): this {
    if (this.unsubscribe !== undefined) return this;
    /** Who waits on whom, by task key; an edge lasts from the park to the next event of the waiter. */
    const waitsOn = new Map<string, string>();
    const reported = new Set<string>();
    const tracker = new TaskTracker({});
    this.unsubscribe = subscribeTaskEvents((event) => {
      tracker.handle(event);
      const key = taskKey(event.executor, event.taskId);
      if (event.kind === 'suspend' && event.reason === 'wait' && event.waitingOn !== undefined) {
        waitsOn.set(key, taskKey(event.executor, event.waitingOn));
        this.check(key, waitsOn, tracker, reported);
      } else if (event.kind !== 'spawn' && event.kind !== 'steal') {
        waitsOn.delete(key);
      }
    }, { workers: this.workers });
    return this;
  }

  stop(): this {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    return this;
  }

  private check(origin: string, waitsOn: ReadonlyMap<string, string>, tracker: TaskTracker, reported: Set<string>): void {
    const path = [origin];
    const seen = new Set(path);
    for (let next = waitsOn.get(origin); next !== undefined; next = waitsOn.get(next)) {
      if (next === origin) break;
      // A chain that runs into a cycle not through the origin was reported when it closed.
      if (seen.has(next)) return;
      seen.add(next);
      path.push(next);
    }
    if (waitsOn.get(path.at(-1) ?? origin) !== origin) return;
    const id = [...path].sort().join(' ');
    if (reported.has(id)) return;
    reported.add(id);
    const cycle: FindingTask[] = path.map((key) => {
      const [executor = '', taskId = '0'] = key.split(/#(?=\d+$)/);
      const task: TrackedTask | undefined = tracker.find(executor, Number(taskId));
      if (task !== undefined) return findingTask(task);
      return { taskId: Number(taskId), name: undefined, body: 'unknown', executor };
    });
    const first = cycle[0];
    const chain = [...cycle, ...(first === undefined ? [] : [first])].map((task) => describeFindingTask(task)).join('\n  waits on ');
    deliver(this.onFinding, {
      kind: 'wait-cycle',
      cycle,
      time: Date.now(),
      message: `wait cycle (deadlock): ${cycle.length} task(s) wait on each other and none can ever resume:\n  ${chain}`,
    });
  }
}
