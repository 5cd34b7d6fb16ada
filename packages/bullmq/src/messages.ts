import type { Spawnable, TaskEvent, TaskReference } from '@spindle/core';
import type { Encoded } from './codec.js';

/**
 * What a job carries: the task reference, its arguments and where its outcome and events
 * go. Field names are short because every job stores them in Redis.
 */
export interface JobData {
  /** Module URL of the task reference. */
  readonly m: string;
  /** Export name of the task reference. */
  readonly x: string;
  /** Arguments: base64 V8 structured-clone bytes (see codec.ts). */
  readonly a: string;
  /** Ids of shared buffers in the spawning process (pinned jobs only). */
  readonly s?: readonly number[];
  /** The task's name. */
  readonly n?: string;
  /** The task's id, as its handle and its events know it. */
  readonly i: number;
  /** Label of the executor the task belongs to (events name it). */
  readonly l: string;
  /** Inbox (a Redis list) the outcome goes to. */
  readonly r: string;
  /** Inbox the lifecycle events go to, when the executor's process wants them. */
  readonly e?: string;
  /** Milliseconds the task may run before it is cancelled and the attempt fails. */
  readonly t?: number;
}

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
}

/** The data of the job that runs `task`, whose body is a task reference, with its encoded arguments. */
export function jobData(body: Spawnable, encoded: Encoded, task: { readonly id: number; readonly name: string | undefined }, routing: JobRouting): JobData {
  const ref = body as TaskReference<never>;
  return {
    m: ref.module,
    x: ref.export,
    a: encoded.bytes,
    ...(encoded.shared.length > 0 ? { s: encoded.shared } : {}),
    ...(task.name === undefined ? {} : { n: task.name }),
    i: task.id,
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
