import { setTimeout as delay } from 'node:timers/promises';
import { UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';
import { InvalidTaskError, TaskCancelledError } from '@spindle/core';
import { encodeError } from './codec.js';
import { TaskTimeoutError } from './errors.js';
import { Status } from './messages.js';
import type { InboxMessage, JobData, StatusCode } from './messages.js';

/** Sends an outcome to its inbox; resolves once Redis has it. */
export type Report = (inbox: string, message: InboxMessage) => Promise<unknown>;

/**
 * Reports a job task's outcome to its spawner, then completes or fails the job in BullMQ.
 * The outcome always goes first, on the same connection: Redis has it before the job
 * leaves the active state, so a process that dies in between leaves a job BullMQ runs
 * again (its handle settles once: a second outcome is ignored), never a finished job whose
 * outcome is lost. A failure is final (reported) when it cannot be retried
 * (`InvalidTaskError`, a cancellation) or no attempt is left; otherwise BullMQ retries the
 * job after its backoff and nothing is reported yet.
 *
 * @param patienceMs how long a parent's completion may wait for its children's own
 * @returns `completed` or `failed`, for the runtime's counts
 */
export async function finishJob(job: Job<JobData, null>, lock: string, status: StatusCode, value: unknown, report: Report, patienceMs: number): Promise<'completed' | 'failed'> {
  const data = job.data;
  if (status === Status.fulfilled) {
    // Not waiting for the report before completing saves the parent of this job a retry
    // of its own completion (see completeJob); the order on the wire is what matters.
    const reported = report(data.r, [1, data.i, status, value]);
    await completeJob(job, lock, patienceMs);
    await reported;
    return 'completed';
  }
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
  if (final) await report(data.r, [1, data.i, reported, encodeError(error)]);
  const message = error instanceof Error ? error.message : String(error);
  // UnrecoverableError: BullMQ fails the job without using up the attempts left.
  const failure = final ? new UnrecoverableError(message) : new Error(message);
  if (error instanceof Error && error.stack !== undefined) failure.stack = error.stack;
  // Throws when the lock was lost (the job stalled and runs elsewhere): that run reports.
  await job.moveToFailed(failure, lock, false);
  return 'failed';
}

/**
 * Completes a job. A parent's children settled here when their outcomes arrived, which
 * their workers send just before they complete the child jobs; BullMQ refuses to complete
 * a parent with a child still pending, so wait for those completions (a child whose worker
 * died in between completes when BullMQ runs it again).
 */
async function completeJob(job: Job<JobData, null>, lock: string, patienceMs: number): Promise<void> {
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      await job.moveToCompleted(null, lock, false);
      return;
    } catch (error) {
      const pending = error instanceof Error && error.message.includes('pending dependencies');
      if (!pending || performance.now() - started > patienceMs) throw error;
      await delay(Math.min(1_000, 2 ** attempt));
    }
  }
}
