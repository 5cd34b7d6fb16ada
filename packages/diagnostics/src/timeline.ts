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
}

interface PendingFlow {
  readonly kind: 'spawn' | 'steal';
  readonly thread: number;
  readonly time: number;
}

/** Reads a recording into steps (slices), spawn and steal arrows, and ready-queue counters. */
export function buildTimeline(recording: Recording): Timeline {
  const slices: TimelineSlice[] = [];
  const markers: TimelineMarker[] = [];
  const flows: TimelineFlow[] = [];
  const counters: TimelineCounter[] = [];
  const threads = new Set<number>();
  const executors = new Set<string>();
  const pending = new Map<TrackedTask, PendingFlow>();
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
        flowSource('spawn', task, event.thread, event.time);
      },
      stolen(task, event) {
        // `from`/`to` are the executor's own worker numbers, not thread ids: the arrow goes
        // from where the task was last seen to where it runs next.
        const from = task.steps > 0 ? task.thread : (task.spawnThread ?? event.thread);
        flowSource('steal', task, from, event.time);
      },
      stepEnded(step) {
        const task = step.task;
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
  };
}

function labelOf(task: TrackedTask): string {
  return task.name ?? `#${task.id}`;
}
