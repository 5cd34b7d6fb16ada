import { SpindleError } from '@spindle/core';
import { brandErrorClass } from '@spindle/core/kit';

/**
 * A task ran longer than its `timeout`: the worker cancelled it (its signal aborted, its
 * `finally` blocks ran) and the attempt failed. BullMQ retries it if `attempts` allows.
 */
export class TaskTimeoutError extends SpindleError {
  /** The limit in force, in milliseconds. */
  readonly timeout: number;

  constructor(timeout: number) {
    super(`the task ran longer than its timeout of ${timeout} ms`);
    this.timeout = timeout;
  }
}
brandErrorClass(TaskTimeoutError, '@spindle/bullmq:TaskTimeoutError');

/**
 * The worker processes running a task kept dying or stalling (their lock on the job was
 * not renewed for `lockDuration`), more often than `maxStalledCount` allows, so BullMQ
 * failed the job. The task may have run, in part or whole, more than once.
 */
export class WorkerLostError extends SpindleError {
  /** The job, for looking it up in BullMQ. */
  readonly jobId: string;

  constructor(jobId: string, reason: string) {
    super(`job ${jobId} failed: ${reason} (its worker process died or stalled)`);
    this.jobId = jobId;
  }
}
brandErrorClass(WorkerLostError, '@spindle/bullmq:WorkerLostError');
