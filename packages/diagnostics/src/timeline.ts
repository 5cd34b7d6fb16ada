import type { Recording } from './recording.js';
import { TaskTracker } from './task-tracker.js';
import type { StepEnd, TrackedTask } from './task-tracker.js';

/** A thread that appears in a timeline. */
export interface TimelineThread {
  /** `worker_threads.threadId` (0 = main). */
  readonly thread: number;
  readonly name: string;
}

/** One step of one task, drawn as one slice. Times are epoch milliseconds. */
export interface TimelineSlice {
  readonly taskId: number;
  /** The task's name, or `#<id>`. */
  readonly label: string;
  readonly executor: string;
  readonly body: string;
  readonly thread: number;
  readonly start: number;
  readonly end: number;
  /** The task's first step. */
  readonly first: boolean;
  readonly ended: StepEnd;
}

/** A point where a flow arrow starts but no step was running (a spawn from outside any task). */
export interface TimelineMarker {
  readonly thread: number;
  readonly time: number;
  readonly label: string;
}

/** An arrow from where a task was spawned or stolen to the step that ran it next. */
export interface TimelineFlow {
  readonly id: number;
  readonly kind: 'spawn' | 'steal';
  readonly taskId: number;
  readonly fromThread: number;
  readonly fromTime: number;
  readonly toThread: number;
  readonly toTime: number;
}

/**
 * A time one task spent not running: `parked` from a suspend until it was woken, resumed
 * or settled (waiting for what it awaits), or `ready` from its spawn, a yield or a wake
 * until its next step began (queued, waiting for a thread). Times are epoch milliseconds.
 */
export interface TimelineWait {
  readonly taskId: number;
  readonly executor: string;
  readonly kind: 'parked' | 'ready';
  readonly start: number;
  readonly end: number;
  /** Still waiting when the recording ended (`end` is the recording's end). */
  readonly open: boolean;
}

/** One task from its spawn (or first event seen) to its settlement: a task's row. */
export interface TimelineTask {
  readonly taskId: number;
  readonly executor: string;
  /** The task's name, or `#<id>`. */
  readonly label: string;
  readonly body: string;
  readonly parentId: number | undefined;
  /** Its spawn, or the first event of it the recording holds. */
  readonly start: number;
  /** Its settlement, or the recording's end if it had not settled. */
  readonly end: number;
  /** `fulfilled`, `rejected` or `cancelled`; undefined if it had not settled. */
  readonly outcome: string | undefined;
  /** When it was stolen by another worker, each time. */
  readonly steals: readonly number[];
}

/** The number of ready tasks of one executor from `time` on. */
export interface TimelineCounter {
  readonly executor: string;
  readonly time: number;
  readonly ready: number;
}

/** A recording read as steps, arrows and counters: what both timeline exports draw. */
export interface Timeline {
  readonly startTime: number;
  readonly endTime: number;
  readonly dropped: number;
  readonly threads: readonly TimelineThread[];
  readonly slices: readonly TimelineSlice[];
  readonly markers: readonly TimelineMarker[];
  readonly flows: readonly TimelineFlow[];
  readonly counters: readonly TimelineCounter[];
  readonly executors: readonly string[];
  /** Every task seen, in the order they began (spawn or first event seen). */
  readonly tasks: readonly TimelineTask[];
  /** Every time a task spent parked or ready, in the order the waits ended. */
  readonly waits: readonly TimelineWait[];
}

interface PendingFlow {
  readonly kind: 'spawn' | 'steal';
  readonly thread: number;
  readonly time: number;
}

interface TaskRow {
  readonly task: TrackedTask;
  readonly start: number;
  readonly steals: number[];
}

/** Reads a recording into steps (slices), tasks and their waits, spawn and steal arrows, and ready-queue counters. */
export function buildTimeline(recording: Recording): Timeline {
  const slices: TimelineSlice[] = [];
  const markers: TimelineMarker[] = [];
  const flows: TimelineFlow[] = [];
  const counters: TimelineCounter[] = [];
  const threads = new Set<number>();
  const executors = new Set<string>();
  const pending = new Map<TrackedTask, PendingFlow>();
  const waits: TimelineWait[] = [];
  // Tracked tasks are objects made once per task, so they key their rows across settles.
  const rows = new Map<TrackedTask, TaskRow>();
  const rowOf = (task: TrackedTask, time: number): TaskRow => {
    let row = rows.get(task);
    if (row === undefined) {
      row = { task, start: time, steals: [] };
      rows.set(task, row);
    }
    return row;
  };
  let flowIds = 0;
  // A flow starts inside the step running on its thread, or at a marker where none runs.
  const flowSource = (kind: 'spawn' | 'steal', task: TrackedTask, thread: number, time: number): void => {
    threads.add(thread);
    if (tracker.runningOn(thread) === undefined) markers.push({ thread, time, label: `${kind} ${labelOf(task)}` });
    pending.set(task, { kind, thread, time });
  };
  const tracker: TaskTracker = new TaskTracker(
    {
      spawned(task, event) {
        executors.add(task.executor);
        rowOf(task, event.time);
        flowSource('spawn', task, event.thread, event.time);
      },
      stolen(task, event) {
        // `from`/`to` are the executor's own worker numbers, not thread ids: the arrow goes
        // from where the task was last seen to where it runs next.
        const from = task.steps > 0 ? task.thread : (task.spawnThread ?? event.thread);
        rowOf(task, event.time).steals.push(event.time);
        flowSource('steal', task, from, event.time);
      },
      stepEnded(step) {
        const task = step.task;
        rowOf(task, step.start);
        threads.add(step.thread);
        executors.add(task.executor);
        slices.push({
          taskId: task.id,
          label: labelOf(task),
          executor: task.executor,
          body: task.body,
          thread: step.thread,
          start: step.start,
          end: step.end,
          first: step.first,
          ended: step.ended,
        });
      },
      ran(task, _delay, time) {
        const flow = pending.get(task);
        if (flow === undefined) return;
        pending.delete(task);
        flows.push({ id: ++flowIds, kind: flow.kind, taskId: task.id, fromThread: flow.thread, fromTime: flow.time, toThread: task.thread, toTime: time });
      },
      parked(task, event) {
        rowOf(task, event.time);
      },
      settled(task, time) {
        rowOf(task, time);
      },
      waitEnded(task, kind, start, end) {
        rowOf(task, start);
        waits.push({ taskId: task.id, executor: task.executor, kind, start, end, open: false });
      },
      readyChanged(executor, ready, time) {
        const last = counters.at(-1);
        if (last?.executor === executor && last.time === time) counters[counters.length - 1] = { executor, time, ready };
        else counters.push({ executor, time, ready });
      },
    },
    { keepSettled: false },
  );
  for (const event of recording.events) {
    threads.add(event.thread);
    tracker.handle(event);
  }
  tracker.closeOpenSteps(recording.endTime);
  const endTime = recording.endTime;
  for (const task of tracker.all()) {
    if (task.state === 'parked' || task.state === 'ready') {
      const start = task.state === 'parked' ? task.parkedSince : task.readySince;
      rowOf(task, start);
      waits.push({ taskId: task.id, executor: task.executor, kind: task.state, start, end: Math.max(start, endTime), open: true });
    }
  }
  // A flow whose target step never came (still ready at the end) is left out, and so is
  // its marker's arrow; the marker itself still shows the spawn.
  const completeFlows = flows.filter((flow) => flow.toTime >= flow.fromTime);
  slices.sort((a, b) => a.start - b.start || a.thread - b.thread);
  return {
    startTime: recording.startTime,
    endTime: recording.endTime,
    dropped: recording.dropped,
    threads: [...threads].sort((a, b) => a - b).map((thread) => ({ thread, name: thread === 0 ? 'main thread' : `worker thread ${thread}` })),
    slices,
    markers,
    flows: completeFlows,
    counters,
    executors: [...executors].sort(),
    tasks: [...rows.values()].map(({ task, start, steals }) => ({
      taskId: task.id,
      executor: task.executor,
      label: labelOf(task),
      body: task.body,
      parentId: task.parentId,
      start: task.spawnTime ?? start,
      end: task.settleTime ?? Math.max(endTime, start),
      outcome: task.outcome,
      steals,
    })).sort((a, b) => a.start - b.start),
    waits,
  };
}

function labelOf(task: TrackedTask): string {
  return task.name ?? `#${task.id}`;
}
