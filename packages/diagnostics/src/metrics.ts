import { InvalidOptionsError } from '@spindle/core';
import { eventTime, holdEventClock } from '@spindle/core/events';
import { DurationHistogram } from './histogram.js';
import type { ExecutorMetrics, MetricsSnapshot, TaskMetrics, ThreadMetrics } from './metrics-snapshot.js';
import { subscribeTaskEvents } from './task-event-source.js';
import { TaskTracker } from './task-tracker.js';
import type { TrackedTask } from './task-tracker.js';

/** Options of {@link Metrics}. */
export interface MetricsOptions {
  /** Also count events forwarded from worker threads. Default `true`. */
  readonly workers?: boolean;
  /** Settled tasks whose figures the snapshot keeps (the most recent). Default 100. */
  readonly keepSettledTasks?: number;
}

interface ExecutorCounts {
  spawned: number;
  fulfilled: number;
  rejected: number;
  cancelled: number;
  steps: number;
  yields: number;
  parks: number;
  wakes: number;
  steals: number;
  ready: number;
  readyMin: number;
  readyMax: number;
  busy: number;
  readonly threads: Set<number>;
  readonly stepTime: DurationHistogram;
  readonly delay: DurationHistogram;
}

interface ThreadCounts {
  steps: number;
  busy: number;
  readonly stepTime: DurationHistogram;
  readonly byExecutor: Map<string, { steps: number; busy: number }>;
}

/**
 * Keeps figures per executor, per thread and per task, from the lifecycle events alone:
 * spawned/settled, steps, yields, parks, wakes, steals, ready-queue depth (current, min,
 * max), step-time and scheduling-delay histograms, busy/idle time and utilisation.
 * Memory is bounded: histograms are HDR, settled tasks beyond `keepSettledTasks` are
 * forgotten.
 */
export class Metrics {
  private readonly workers: boolean;
  private readonly keepSettled: number;
  private unsubscribe: (() => void) | undefined = undefined;
  private startTime = eventTime();
  private executors = new Map<string, ExecutorCounts>();
  private threads = new Map<number, ThreadCounts>();
  private settled: TaskMetrics[] = [];
  private tracker = this.makeTracker();

  /** @throws InvalidOptionsError for a `keepSettledTasks` that is not a non-negative integer */
  constructor(options?: MetricsOptions) {
    const keep = options?.keepSettledTasks ?? 100;
    if (!Number.isSafeInteger(keep) || keep < 0) {
      throw new InvalidOptionsError('keepSettledTasks', `keepSettledTasks must be a non-negative integer, got ${String(keep)}`);
    }
    this.keepSettled = keep;
    this.workers = options?.workers ?? true;
  }

  /** Starts counting (figures since the last reset are kept). Returns `this`. */
  start(): this {
    if (this.unsubscribe !== undefined) return this;
    const stopEvents = subscribeTaskEvents((event) => {
      this.tracker.handle(event);
    }, { workers: this.workers });
    // Step-time histograms need each step's own duration, not the coarse clock's ticks.
    const releaseClock = holdEventClock('precise');
    this.unsubscribe = () => {
      stopEvents();
      releaseClock();
    };
    return this;
  }

  /** Stops counting; the figures stay readable. */
  stop(): this {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    return this;
  }

  /** Forgets every figure and starts a new window now. */
  reset(): void {
    this.startTime = eventTime();
    this.executors = new Map();
    this.threads = new Map();
    this.settled = [];
    this.tracker = this.makeTracker();
  }

  /** The figures now. */
  snapshot(): MetricsSnapshot {
    const time = eventTime();
    const window = Math.max(time - this.startTime, 1e-9);
    // Steps still running count as busy up to now.
    const running = new Map<TrackedTask, number>();
    for (const task of this.tracker.running()) running.set(task, Math.max(0, time - task.stepStart));
    const runningBy = (pick: (task: TrackedTask) => boolean): number => {
      let sum = 0;
      for (const [task, ms] of running) if (pick(task)) sum += ms;
      return sum;
    };
    const executors: ExecutorMetrics[] = [...this.executors].map(([executor, c]) => {
      const threads = Math.max(1, c.threads.size);
      const busy = c.busy + runningBy((t) => t.executor === executor);
      const settled = c.fulfilled + c.rejected + c.cancelled;
      return {
        executor,
        spawned: c.spawned,
        settled,
        fulfilled: c.fulfilled,
        rejected: c.rejected,
        cancelled: c.cancelled,
        live: Math.max(0, c.spawned - settled),
        steps: c.steps,
        yields: c.yields,
        parks: c.parks,
        wakes: c.wakes,
        steals: c.steals,
        ready: { current: c.ready, min: c.readyMin, max: c.readyMax },
        stepTime: c.stepTime.summary(),
        schedulingDelay: c.delay.summary(),
        threads: [...c.threads].sort((a, b) => a - b),
        busyMs: busy,
        idleMs: Math.max(0, window * threads - busy),
        utilisation: Math.min(1, busy / (window * threads)),
      };
    });
    const threads: ThreadMetrics[] = [...this.threads]
      .sort(([a], [b]) => a - b)
      .map(([thread, c]) => {
        const busy = c.busy + runningBy((t) => t.thread === thread);
        return {
          thread,
          steps: c.steps,
          busyMs: busy,
          idleMs: Math.max(0, window - busy),
          utilisation: Math.min(1, busy / window),
          stepTime: c.stepTime.summary(),
          executors: [...c.byExecutor].map(([executor, e]) => ({ executor, steps: e.steps, busyMs: e.busy })),
        };
      });
    const live = [...this.tracker.all()].map((task) => taskMetrics(task, time));
    return { time, windowMs: window, executors, threads, tasks: [...live, ...this.settled] };
  }

  /**
   * Calls `callback` with a snapshot every `intervalMs` until the returned function is
   * called. The timer is unref'd: reporting never keeps a program alive. A callback that
   * throws is reported with `process.emitWarning`, and reporting goes on.
   */
  report(intervalMs: number, callback: (snapshot: MetricsSnapshot) => void): () => void {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new InvalidOptionsError('intervalMs', `intervalMs must be a positive number of milliseconds, got ${String(intervalMs)}`);
    }
    const timer = setInterval(() => {
      try {
        callback(this.snapshot());
      } catch (error) {
        process.emitWarning(`@spindle/diagnostics: a metrics report callback threw: ${String(error)}`, 'SpindleDiagnosticsWarning');
      }
    }, intervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
    };
  }

  /** Stops counting, for `using`. */
  [Symbol.dispose](): void {
    this.stop();
  }

  private counts(executor: string): ExecutorCounts {
    let c = this.executors.get(executor);
    if (c === undefined) {
      c = {
        spawned: 0,
        fulfilled: 0,
        rejected: 0,
        cancelled: 0,
        steps: 0,
        yields: 0,
        parks: 0,
        wakes: 0,
        steals: 0,
        ready: 0,
        readyMin: 0,
        readyMax: 0,
        busy: 0,
        threads: new Set(),
        stepTime: new DurationHistogram(),
        delay: new DurationHistogram(),
      };
      this.executors.set(executor, c);
    }
    return c;
  }

  private thread(thread: number): ThreadCounts {
    let c = this.threads.get(thread);
    if (c === undefined) {
      c = { steps: 0, busy: 0, stepTime: new DurationHistogram(), byExecutor: new Map() };
      this.threads.set(thread, c);
    }
    return c;
  }

  private makeTracker(): TaskTracker {
    return new TaskTracker({
      spawned: (task) => {
        this.counts(task.executor).spawned++;
      },
      stepEnded: (step) => {
        const ms = step.end - step.start;
        const c = this.counts(step.task.executor);
        c.steps++;
        c.busy += ms;
        c.threads.add(step.thread);
        c.stepTime.record(ms);
        if (step.ended === 'yield') c.yields++;
        else if (step.ended === 'wait') c.parks++;
        const t = this.thread(step.thread);
        t.steps++;
        t.busy += ms;
        t.stepTime.record(ms);
        const e = t.byExecutor.get(step.task.executor) ?? { steps: 0, busy: 0 };
        e.steps++;
        e.busy += ms;
        t.byExecutor.set(step.task.executor, e);
      },
      ran: (task, delay) => {
        this.counts(task.executor).delay.record(delay);
      },
      readyChanged: (executor, ready) => {
        const c = this.counts(executor);
        c.ready = ready;
        c.readyMin = Math.min(c.readyMin, ready);
        c.readyMax = Math.max(c.readyMax, ready);
      },
      woken: (task) => {
        this.counts(task.executor).wakes++;
      },
      stolen: (task) => {
        this.counts(task.executor).steals++;
      },
      settled: (task, time) => {
        const c = this.counts(task.executor);
        if (task.outcome === 'fulfilled') c.fulfilled++;
        else if (task.outcome === 'rejected') c.rejected++;
        else c.cancelled++;
        if (this.keepSettled === 0) return;
        this.settled.push(taskMetrics(task, time));
        if (this.settled.length > this.keepSettled) this.settled.shift();
      },
    });
  }
}

function taskMetrics(task: TrackedTask, time: number): TaskMetrics {
  const busy = task.busy + (task.state === 'running' ? Math.max(0, time - task.stepStart) : 0);
  const scheduled = task.scheduled + (task.state === 'ready' ? Math.max(0, time - task.readySince) : 0);
  const idle = task.parked + (task.state === 'parked' ? Math.max(0, time - task.parkedSince) : 0);
  return {
    taskId: task.id,
    executor: task.executor,
    name: task.name,
    body: task.body,
    state: task.state,
    steps: task.steps,
    busyMs: busy,
    scheduledMs: scheduled,
    idleMs: idle,
  };
}
