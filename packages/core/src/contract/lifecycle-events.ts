import type { SettledState } from './task-state.js';

/** Names of the `node:diagnostics_channel` channels every executor publishes on. */
export const channelNames = {
  spawn: 'spindle:task:spawn',
  start: 'spindle:task:start',
  suspend: 'spindle:task:suspend',
  wake: 'spindle:task:wake',
  resume: 'spindle:task:resume',
  steal: 'spindle:task:steal',
  settle: 'spindle:task:settle',
} as const;

/** One of the lifecycle event kinds. */
export type TaskEventKind = keyof typeof channelNames;

/** Fields every lifecycle event carries. */
export interface TaskEventBase {
  readonly kind: TaskEventKind;
  readonly taskId: number;
  /** Label of the executor instance, e.g. `round-robin#1`. */
  readonly executor: string;
  /** `worker_threads.threadId` of the thread the event happened on (0 = main). */
  readonly thread: number;
  /** Milliseconds since the Unix epoch, sub-millisecond precision; one clock across threads. */
  readonly time: number;
}

/** A task was accepted. */
export interface SpawnEvent extends TaskEventBase {
  readonly kind: 'spawn';
  readonly name: string | undefined;
  readonly parentId: number | undefined;
  /** What the body is: `generator fib`, `async fetchAll`, `state-machine GetNumbers`, `ref file:///…#fib`. */
  readonly body: string;
}
/** The task's first step began. */
export interface StartEvent extends TaskEventBase {
  readonly kind: 'start';
}
/** A step ended without finishing the task: `yield` = ready again, `wait` = parked. */
export interface SuspendEvent extends TaskEventBase {
  readonly kind: 'suspend';
  readonly reason: 'yield' | 'wait';
  /**
   * When the step parked on a task handle (`yield handle`, `ctx.join(handle)`): that task's
   * id. Lets diagnostics see who waits on whom (wait cycles, lost wake-ups). Optional:
   * executors that cannot tell leave it out.
   */
  readonly waitingOn?: number;
}
/** A parked task became ready again because what it waited for settled. */
export interface WakeEvent extends TaskEventBase {
  readonly kind: 'wake';
}
/** A later step began. */
export interface ResumeEvent extends TaskEventBase {
  readonly kind: 'resume';
}
/** The task moved from one worker's queue to another's. */
export interface StealEvent extends TaskEventBase {
  readonly kind: 'steal';
  readonly from: number;
  readonly to: number;
}
/** The task settled. */
export interface SettleEvent extends TaskEventBase {
  readonly kind: 'settle';
  readonly state: SettledState;
  /** The error's name (`TypeError`, `TaskCancelledError`) when rejected or cancelled. */
  readonly error: string | undefined;
}

/** Any lifecycle event. */
export type TaskEvent = SpawnEvent | StartEvent | SuspendEvent | WakeEvent | ResumeEvent | StealEvent | SettleEvent;
