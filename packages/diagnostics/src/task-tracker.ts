import type { TaskEvent } from '@spindle/core';

/** Where a task is in its lifecycle, as far as the events tell. */
export type TrackedState = 'ready' | 'running' | 'parked' | 'finishing' | 'settled';

/** How a step ended. */
export type StepEnd = 'yield' | 'wait' | 'settle' | 'next-step' | 'open';

/** What is known about one task from its events. */
export interface TrackedTask {
  readonly id: number;
  name: string | undefined;
  /** What the body is (`generator fib`, …), or `unknown` when its spawn event was not seen. */
  body: string;
  executor: string;
  parentId: number | undefined;
  spawnTime: number | undefined;
  spawnThread: number | undefined;
  state: TrackedState;
  /** When it last became ready (spawn, yield or wake). */
  readySince: number;
  /** When it was last parked. */
  parkedSince: number;
  /** When the running step began. */
  stepStart: number;
  /** Thread of the running or last step. */
  thread: number;
  steps: number;
  /** Milliseconds spent in steps, ready and waiting for a thread, and parked. */
  busy: number;
  scheduled: number;
  parked: number;
  /** Settled state once settled. */
  outcome: string | undefined;
  settleTime: number | undefined;
}

/** One step: a task running on a thread from one yield point to the next. */
export interface StepRecord {
  readonly task: TrackedTask;
  readonly thread: number;
  readonly start: number;
  readonly end: number;
  readonly first: boolean;
  readonly ended: StepEnd;
}

/** Callbacks of {@link TaskTracker}; each is optional. */
export interface TrackerHooks {
  /** A task was spawned (or first seen). */
  spawned?(task: TrackedTask, event: TaskEvent): void;
  /** A step ended. */
  stepEnded?(step: StepRecord): void;
  /** A ready task began a step after waiting `delay` ms for a thread. */
  ran?(task: TrackedTask, delay: number, time: number): void;
  /** An executor's count of ready tasks changed. */
  readyChanged?(executor: string, ready: number, time: number): void;
  /** A task parked (suspended with reason `wait`). */
  parked?(task: TrackedTask, event: TaskEvent): void;
  /** A parked task was woken. */
  woken?(task: TrackedTask, time: number): void;
  /** A task moved between workers. */
  stolen?(task: TrackedTask, event: TaskEvent): void;
  /** A task stopped waiting: `ready` (queued for a thread) or `parked` (for what it awaits) from `start` to `end`. */
  waitEnded?(task: TrackedTask, wait: 'ready' | 'parked', start: number, end: number): void;
  /** A task settled; unless `keepSettled`, the tracker forgets it after this call. */
  settled?(task: TrackedTask, time: number): void;
}

/**
 * Folds lifecycle events, one at a time, into per-task state and steps: the one reading
 * of the events that the timeline, the metrics and the detectors share.
 *
 * Steps on one thread never nest (an executor steps tasks one after another), so a step
 * whose end was not published (a body that finished while its children still run) ends
 * when the next step on its thread begins. Tolerant of missing events (a recording whose
 * beginning was dropped): unknown tasks are created on first sight.
 */
export class TaskTracker {
  /**
   * Tasks by executor label, then id (ids are unique per executor): two lookups by values
   * the event already holds, where one by {@link taskKey} would build a string per event.
   */
  private readonly byExecutor = new Map<string, Map<number, TrackedTask>>();
  /**
   * The task that began the latest step on each thread, running or not: entries are
   * replaced, never removed, because removing and adding a map entry on every step cost
   * more than the rest of the tracking.
   */
  private readonly lastOn = new Map<number, TrackedTask>();
  /** Ready tasks per executor label. */
  readonly ready = new Map<string, number>();
  private readonly hooks: TrackerHooks;
  private readonly keepSettled: boolean;

  constructor(hooks: TrackerHooks, options?: { readonly keepSettled?: boolean }) {
    this.hooks = hooks;
    this.keepSettled = options?.keepSettled ?? false;
  }

  handle(event: TaskEvent): void {
    const time = event.time;
    switch (event.kind) {
      case 'spawn': {
        const task = this.task(event);
        task.name = event.name;
        task.body = event.body;
        task.parentId = event.parentId;
        task.spawnTime = time;
        task.spawnThread = event.thread;
        this.hooks.spawned?.(task, event);
        return;
      }
      case 'start':
      case 'resume': {
        const task = this.task(event);
        const previous = this.lastOn.get(event.thread);
        if (previous !== undefined && previous !== task && previous.state === 'running' && previous.thread === event.thread) {
          this.endStep(previous, time, 'next-step', 'finishing');
        }
        if (task.state === 'running') this.endStep(task, time, 'next-step', 'finishing');
        const wasReady = task.state === 'ready';
        const delay = wasReady ? Math.max(0, time - task.readySince) : 0;
        if (wasReady) {
          task.scheduled += delay;
          this.changeReady(task.executor, -1, time);
          this.hooks.waitEnded?.(task, 'ready', task.readySince, time);
        } else if (task.state === 'parked') {
          this.endPark(task, time);
        }
        task.state = 'running';
        task.stepStart = time;
        task.thread = event.thread;
        if (previous !== task) this.lastOn.set(event.thread, task);
        if (wasReady) this.hooks.ran?.(task, delay, time);
        return;
      }
      case 'suspend': {
        const task = this.task(event);
        const wait = event.reason === 'wait';
        if (task.state === 'running') this.endStep(task, time, event.reason, wait ? 'parked' : 'ready');
        else task.state = wait ? 'parked' : 'ready';
        if (wait) {
          task.parkedSince = time;
          this.hooks.parked?.(task, event);
        } else {
          task.readySince = time;
          this.changeReady(task.executor, 1, time);
        }
        return;
      }
      case 'wake': {
        const task = this.task(event);
        if (task.state !== 'parked') return;
        this.endPark(task, time);
        task.state = 'ready';
        task.readySince = time;
        this.changeReady(task.executor, 1, time);
        this.hooks.woken?.(task, time);
        return;
      }
      case 'steal': {
        const task = this.task(event);
        this.hooks.stolen?.(task, event);
        return;
      }
      case 'settle': {
        const task = this.task(event);
        if (task.state === 'running') this.endStep(task, time, 'settle', 'settled');
        else if (task.state === 'ready') {
          this.changeReady(task.executor, -1, time);
          this.hooks.waitEnded?.(task, 'ready', task.readySince, time);
        } else if (task.state === 'parked') this.endPark(task, time);
        task.state = 'settled';
        task.outcome = event.state;
        task.settleTime = time;
        this.hooks.settled?.(task, time);
        if (!this.keepSettled) this.byExecutor.get(task.executor)?.delete(task.id);
        return;
      }
    }
  }

  /** The task `taskId` of `executor`, if it is known (seen and, unless kept, not settled). */
  find(executor: string, taskId: number): TrackedTask | undefined {
    return this.byExecutor.get(executor)?.get(taskId);
  }

  /** Every known task. */
  *all(): IterableIterator<TrackedTask> {
    for (const tasks of this.byExecutor.values()) yield* tasks.values();
  }

  /** Ends steps still running at `time` (the end of a recording), reported as `open`. */
  closeOpenSteps(time: number): void {
    for (const task of [...this.running()]) this.endStep(task, time, 'open', 'finishing');
  }

  /** The task running a step on `thread`, if any. */
  runningOn(thread: number): TrackedTask | undefined {
    const task = this.lastOn.get(thread);
    return task?.state === 'running' && task.thread === thread ? task : undefined;
  }

  /** Every task running a step now, one per thread at most. */
  *running(): IterableIterator<TrackedTask> {
    for (const [thread, task] of this.lastOn) if (task.state === 'running' && task.thread === thread) yield task;
  }

  private endStep(task: TrackedTask, time: number, ended: StepEnd, next: TrackedState): void {
    const start = task.stepStart;
    const end = Math.max(start, time);
    task.busy += end - start;
    task.steps++;
    task.state = next;
    this.hooks.stepEnded?.({ task, thread: task.thread, start, end, first: task.steps === 1, ended });
  }

  private endPark(task: TrackedTask, time: number): void {
    task.parked += Math.max(0, time - task.parkedSince);
    this.hooks.waitEnded?.(task, 'parked', task.parkedSince, time);
  }

  private changeReady(executor: string, delta: number, time: number): void {
    const ready = Math.max(0, (this.ready.get(executor) ?? 0) + delta);
    this.ready.set(executor, ready);
    this.hooks.readyChanged?.(executor, ready, time);
  }

  private task(event: TaskEvent): TrackedTask {
    let tasks = this.byExecutor.get(event.executor);
    if (tasks === undefined) {
      tasks = new Map();
      this.byExecutor.set(event.executor, tasks);
    }
    let task = tasks.get(event.taskId);
    if (task === undefined) {
      const spawn = event.kind === 'spawn';
      task = {
        id: event.taskId,
        name: undefined,
        body: 'unknown',
        executor: event.executor,
        parentId: undefined,
        spawnTime: undefined,
        spawnThread: undefined,
        state: spawn ? 'ready' : 'finishing',
        readySince: event.time,
        parkedSince: event.time,
        stepStart: event.time,
        thread: event.thread,
        steps: 0,
        busy: 0,
        scheduled: 0,
        parked: 0,
        outcome: undefined,
        settleTime: undefined,
      };
      tasks.set(event.taskId, task);
      // Spawned means ready. A task first seen mid-life (its spawn was dropped, or happened
      // before recording began) is in no known state until its next event says.
      if (spawn) this.changeReady(task.executor, 1, event.time);
    }
    return task;
  }
}

/**
 * Tasks are told apart by executor label and id: ids are unique per executor (a pool's
 * are pool-wide), while executors on different threads may count from 1 each.
 */
export function taskKey(executor: string, taskId: number): string {
  return `${executor}#${taskId}`;
}
