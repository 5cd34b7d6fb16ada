import { setTimeout as delay } from 'node:timers/promises';
import { UnrecoverableError } from 'bullmq';
import { InvalidTaskError, TaskCancelledError } from '@spindle/core';
import { encodeError } from '@spindle/core/kit';
import type { ChildRef } from './child-outcomes.js';
import { TaskTimeoutError } from './errors.js';
import { jobResult } from './job-values.js';
import { Status } from './messages.js';
import type { OutcomeMessage, SpindleJob, StatusCode } from './messages.js';

/**
 * Sends a job's outcome to whoever waits for it (its spawner's inbox, and the spawns that
 * joined a job of the user's id); resolves once Redis has it. With `child`, the outcome of
 * a child job's final failure, it is first recorded where the child's parent finds it (see
 * child-outcomes.ts).
 */
export type Report = (job: SpindleJob, message: OutcomeMessage, child?: ChildRef) => Promise<unknown>;

/**
 * Reports a job task's outcome to its spawner and completes or fails the job in BullMQ,
 * so that a process dying in between never loses the outcome:
 * - a root job's outcome goes first (on the same connection, so Redis has it before the
 *   job leaves the active state): a process that dies in between leaves a job BullMQ runs
 *   again, and its handle settles once (a second outcome is ignored);
 * - a child job of a flow completes first, with its value as its return value, which
 *   BullMQ stores in its parent's `processed` hash in the same step; the message follows.
 *   In this order the parent's own completion never waits for the child's (BullMQ refuses
 *   to complete a parent with a child pending), and if the message is lost with its
 *   process, the parent's runtime finds the outcome there (see child-outcomes.ts).
 * A completed job keeps its value as its return value (JSON where JSON carries it, see
 * job-values.ts) when it stays in Redis (`keepJobs`), may be joined, or is a child. A value
 * that cannot be serialised fails the task with `InvalidTaskError` (`not-cloneable`).
 * A failure is final (reported) when it cannot be retried (`InvalidTaskError`, a
 * cancellation) or no attempt is left; otherwise BullMQ retries the job after its backoff
 * and nothing is reported yet. A child's final failure is also recorded for its parent.
 *
 * @param child the job as its parent keys it, if it is a child job
 * @param patienceMs how long a parent's completion may wait for its children's own
 * @returns `completed` or `failed`, for the runtime's counts
 */
export async function finishJob(job: SpindleJob, lock: string, status: StatusCode, value: unknown, report: Report, child: ChildRef | undefined, patienceMs: number): Promise<'completed' | 'failed'> {
  const data = job.data;
  if (status === Status.fulfilled) {
    let stored: unknown = null;
    try {
      if (child !== undefined || job.opts.removeOnComplete !== true || data.j === 1) stored = jobResult(value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const refused = new InvalidTaskError('not-cloneable', `the task's outcome cannot be serialised: ${reason}`, { cause: error, argumentIndex: -1 });
      return failJob(job, lock, Status.rejected, refused, report, child);
    }
    const message: OutcomeMessage = [1, data.i, status, value];
    if (child === undefined) {
      const reported = report(job, message);
      await completeJob(job, lock, patienceMs, stored);
      await reported;
    } else {
      await completeJob(job, lock, patienceMs, stored);
      await report(job, message);
    }
    return 'completed';
  }
  return failJob(job, lock, status, value, report, child);
}

async function failJob(job: SpindleJob, lock: string, status: StatusCode, value: unknown, report: Report, child: ChildRef | undefined): Promise<'failed'> {
  let error = value;
  let retryable = !(error instanceof InvalidTaskError);
  let reported: StatusCode = status;
  if (status === Status.cancelled) {
    const cause = error instanceof TaskCancelledError ? error.cause : undefined;
    if (cause instanceof TaskTimeoutError) {
      // A timeout is a failure of the attempt, retried like any other.
      error = cause;
      reported = Status.rejected;
    } else {
      retryable = false;
    }
  }
  const attempts = job.opts.attempts ?? 1;
  const final = !retryable || job.attemptsMade + 1 >= attempts;
  if (final) await report(job, [1, job.data.i, reported, encodeError(error)], child);
  const message = error instanceof Error ? error.message : String(error);
  // UnrecoverableError: BullMQ fails the job without using up the attempts left.
  const failure = final ? new UnrecoverableError(message) : new Error(message);
  if (error instanceof Error && error.stack !== undefined) failure.stack = error.stack;
  // Throws when the lock was lost (the job stalled and runs elsewhere): that run reports.
  await job.moveToFailed(failure, lock, false);
  return 'failed';
}

/**
 * Completes a job. BullMQ refuses to complete a parent while a child is pending; a child
 * that failed is reported before BullMQ has failed it, so the parent may get there first:
 * it waits for that (a child whose worker died in between is failed or run again by BullMQ).
 */
async function completeJob(job: SpindleJob, lock: string, patienceMs: number, returnValue: unknown): Promise<void> {
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      await job.moveToCompleted(returnValue, lock, false);
      return;
    } catch (error) {
      const pending = error instanceof Error && error.message.includes('pending dependencies');
      if (!pending || performance.now() - started > patienceMs) throw error;
      await delay(Math.min(1_000, 2 ** attempt));
    }
  }
}
