import type { Job } from 'bullmq';
import type { Spawnable, TaskEvent, TaskReference } from '@spindle/core';
import type { JobArguments } from './job-values.js';

/**
 * What a job carries: the task reference, its arguments and where its outcome and events
 * go. Field names are short because every job stores them in Redis.
 */
export interface JobData {
  /** Module URL of the task reference. */
  readonly m: string;
  /** Export name of the task reference. */
  readonly x: string;
  /** Arguments: the array itself where JSON carries it exactly, else base64 V8 structured-clone bytes (see job-values.ts). */
  readonly a: readonly unknown[] | string;
  /** Ids of shared buffers in the spawning process (pinned jobs only). */
  readonly s?: readonly number[];
  /** The task's name. */
  readonly n?: string;
  /** The task's id, as its handle and its events know it. */
  readonly i: number;
  /** The task's priority (`SpawnOptions.priority`, exactly; BullMQ's job priority is its rounded rank), if not 0. */
  readonly p?: number;
  /** The job's id is the user's (`jobId`): other spawns may join it (see job-joins.ts). */
  readonly j?: 1;
  /** Label of the executor the task belongs to (events name it). */
  readonly l: string;
  /** Inbox (a Redis list) the outcome goes to. */
  readonly r: string;
  /** Inbox the lifecycle events go to, when the executor's process wants them. */
  readonly e?: string;
  /** Milliseconds the task may run before it is cancelled and the attempt fails. */
  readonly t?: number;
}

/** A job of Spindle's: its data, and its return value as `jobResult` (job-values.ts) makes it. */
export type SpindleJob = Job<JobData, unknown>;

/** Where a job's outcome and events go, and how long it may run (see {@link JobData}). */
export interface JobRouting {
  /** Label of the executor the task belongs to. */
  readonly executor: string;
  /** Inbox the outcome goes to. */
  readonly inbox: string;
  /** Inbox the lifecycle events go to, if they are wanted. */
  readonly events: string | undefined;
  /** Milliseconds the task may run, if limited. */
  readonly timeout: number | undefined;
  /** Other spawns may join the job (its id is the user's). */
  readonly joinable?: boolean;
}

/** What of a task its job's data holds. */
export interface TaskFacts {
  readonly id: number;
  readonly name: string | undefined;
  readonly priority: number;
}

/** The data of the job that runs `task`, whose body is a task reference, with its encoded arguments. */
export function jobData(body: Spawnable, args: JobArguments, task: TaskFacts, routing: JobRouting): JobData {
  const ref = body as TaskReference<never>;
  return {
    m: ref.module,
    x: ref.export,
    a: args.a,
    ...(args.shared.length > 0 ? { s: args.shared } : {}),
    ...(task.name === undefined ? {} : { n: task.name }),
    i: task.id,
    ...(task.priority === 0 ? {} : { p: task.priority }),
    ...(routing.joinable === true ? { j: 1 as const } : {}),
    l: routing.executor,
    r: routing.inbox,
    ...(routing.events === undefined ? {} : { e: routing.events }),
    ...(routing.timeout === undefined ? {} : { t: routing.timeout }),
  };
}

/** How a task ended, in an outcome message. */
export const Status = {
  fulfilled: 0,
  rejected: 1,
  cancelled: 2,
} as const;
export type StatusCode = (typeof Status)[keyof typeof Status];

/**
 * What arrives in an inbox (V8-serialised): a batch of lifecycle events, or the outcome of
 * a task (its value, or its encoded error).
 */
export type InboxMessage = readonly [kind: 0, events: readonly TaskEvent[]] | OutcomeMessage;

/** The outcome of a task: its value, or its encoded error. */
export type OutcomeMessage = readonly [kind: 1, taskId: number, status: StatusCode, value: unknown];

/** Redis keys and channels of a queue family. */
export interface Keys {
  /** The inbox of one spawner (an executor or a worker process's runtime). */
  inbox(token: string): string;
  /** Pub/sub channel on which cancellations of running jobs are announced. */
  readonly cancel: string;
  /** Counter that numbers worker runtimes (their child task ids do not collide). */
  readonly runtimes: string;
}

/** The keys of a prefix and queue. */
export function keysOf(prefix: string, queueName: string): Keys {
  const base = `${prefix}:${queueName}:spindle`;
  return {
    inbox: (token) => `${base}:inbox:${token}`,
    cancel: `${prefix}:spindle:cancel`,
    runtimes: `${base}:runtimes`,
  };
}

/** Queue of the jobs pinned to one process (their arguments hold its shared memory). */
export function pinnedQueueName(queueName: string, process: string): string {
  return `${queueName}.pinned.${process}`;
}
