import { serialize } from 'node:v8';
import type { Redis } from 'ioredis';
import { InvalidTaskError } from '@spindle/core';
import { encodeError } from '@spindle/core/kit';
import type { ChildRef } from './child-outcomes.js';
import type { EventOutbox } from './event-outbox.js';
import { post } from './inbox.js';
import { announceOutcome, joinKeys } from './job-joins.js';
import { Status } from './messages.js';
import type { OutcomeMessage, SpindleJob } from './messages.js';

/**
 * How a worker process sends the outcomes of its jobs (see Report in job-finish.ts): to the
 * spawner's inbox, or, for a job of the user's id, to every spawn that joined it (see
 * job-joins.ts); the events that lead to an outcome go out first. An outcome that cannot be
 * serialised becomes an `InvalidTaskError` saying so.
 */
export class OutcomeReporter {
  private readonly prefix: string;
  private readonly outbox: EventOutbox;
  private readonly connection: () => Redis | undefined;
  private readonly onError: (error: unknown) => void;

  /** @param connection the runtime's command connection, once it has one */
  constructor(prefix: string, outbox: EventOutbox, connection: () => Redis | undefined, onError: (error: unknown) => void) {
    this.prefix = prefix;
    this.outbox = outbox;
    this.connection = connection;
    this.onError = onError;
  }

  /** Sends a job's outcome to whoever waits for it; resolves once Redis has it. */
  report(job: SpindleJob, message: OutcomeMessage, child?: ChildRef): Promise<unknown> {
    const data = job.data;
    if (data.j !== 1) return this.send(data.r, message, child);
    return this.announce(job, cloneable(message));
  }

  /** The outcome of a job that other spawns may have joined: recorded for late ones, sent to the others. */
  private async announce(job: SpindleJob, message: OutcomeMessage): Promise<void> {
    const redis = this.connection();
    if (redis === undefined) return;
    this.outbox.flush(redis);
    const data = job.data;
    let targets: (readonly [string, number])[] = [[data.r, data.i]];
    try {
      targets = await announceOutcome(redis, joinKeys(this.prefix, job.queueName, job.id ?? ''), message, [data.r, data.i]);
    } catch (error) {
      this.onError(error);
    }
    await Promise.all(targets.map(([inbox, taskId]) => this.send(inbox, [1, taskId, message[2], message[3]])));
  }

  private send(inbox: string, message: OutcomeMessage, child?: ChildRef): Promise<unknown> {
    const redis = this.connection();
    if (redis === undefined) return Promise.resolve();
    this.outbox.flush(redis);
    try {
      return post(redis, inbox, message, child).catch(this.onError);
    } catch (error) {
      // Serialising it threw (a function in the value, say): the caller hears why.
      return post(redis, inbox, refusal(message, error), child).catch(this.onError);
    }
  }
}

function refusal(message: OutcomeMessage, error: unknown): OutcomeMessage {
  const reason = error instanceof Error ? error.message : String(error);
  return [1, message[1], Status.rejected, encodeError(new InvalidTaskError('not-cloneable', `the task's outcome cannot be serialised: ${reason}`))];
}

/** The outcome, or an error saying it cannot be serialised. */
function cloneable(message: OutcomeMessage): OutcomeMessage {
  try {
    serialize(message);
    return message;
  } catch (error) {
    return refusal(message, error);
  }
}
