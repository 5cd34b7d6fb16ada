import { InvalidOptionsError, InvalidTaskError } from '@spindle/core';
import type { SpawnOptions } from '@spindle/core';
import { assertKnownOptions, describeValue } from '@spindle/core/kit';
import { backoff, integer } from './option-checks.js';
import type { BackoffOptions } from './option-checks.js';

/**
 * Options of one spawn on {@link BullmqExecutor}: core's (`signal`, `name`, `priority`) and
 * BullMQ's job options. Inside a task (`ctx.spawn`) the same hold, but `jobId`: a child's
 * job id is its parent's and its place among the parent's spawns.
 */
export interface BullmqSpawnOptions extends SpawnOptions {
  /** Milliseconds before the job may start (BullMQ `delay`), at most a year. Default 0. */
  readonly delay?: number;
  /** Runs of the task before its failure is final (BullMQ `attempts`). Default: the executor's (a child: its parent's). */
  readonly attempts?: number;
  /** Wait between attempts (BullMQ `backoff`). Default: the executor's (a child: its parent's). */
  readonly backoff?: number | BackoffOptions;
  /**
   * The job's id (BullMQ `jobId`): a spawn whose job id is already in Redis (waiting,
   * running, or finished and kept) joins that job instead of adding another, and settles
   * with its outcome. A string, not an integer, without `:`.
   */
  readonly jobId?: string;
}

/** A job's own settings from its spawn options (absent: the defaults). */
export interface JobSettings {
  readonly delay?: number;
  readonly attempts?: number;
  readonly backoff?: number | BackoffOptions;
  readonly jobId?: string;
}

/**
 * The highest and lowest Spindle priority BullMQ can order, after rounding to an integer:
 * BullMQ's priorities run from 1 (first) to 2^21 - 1, and Spindle's 0 sits in the middle.
 */
export const priorityLimit = 2 ** 20 - 1;

/** BullMQ's priority for a Spindle priority: higher Spindle priorities are lower BullMQ numbers, which run first. */
export function bullPriority(priority: number): number {
  return 2 ** 20 - Math.round(priority);
}

const spawnOptionNames: readonly (keyof BullmqSpawnOptions)[] = ['signal', 'name', 'priority', 'delay', 'attempts', 'backoff', 'jobId'];
const maxDelayMs = 365 * 24 * 60 * 60 * 1000;

function jobId(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 512 || value.includes(':') || String(Number.parseInt(value, 10)) === value) {
    throw new InvalidOptionsError('jobId', `options.jobId must be a string of 1 to 512 characters, not an integer, without ':' (BullMQ's rule), got ${describeValue(value)}`);
  }
  return value;
}

function check(options: SpawnOptions | undefined, child: boolean): JobSettings {
  assertKnownOptions('bullmq spawn', options, spawnOptionNames);
  const o = (options ?? {}) as Record<string, unknown>;
  const priority = o.priority;
  if (typeof priority === 'number' && Math.abs(Math.round(priority)) > priorityLimit) {
    throw new InvalidOptionsError('priority', `options.priority must be within ±${String(priorityLimit)} on BullMQ (its priorities are integers from 1 to 2^21 - 1), got ${String(priority)}`);
  }
  if (child && o.jobId !== undefined) {
    throw new InvalidOptionsError('jobId', "options.jobId is for tasks spawned by an executor: a child's job id is made of its parent's, so that a parent run again joins its children");
  }
  const attempts = o.attempts === undefined ? undefined : integer(o.attempts, 'options.attempts', 1, 1_000_000, 1);
  const wait = backoff(o.backoff, 'options.backoff');
  const delay = o.delay === undefined || o.delay === 0 ? undefined : integer(o.delay, 'options.delay', 0, maxDelayMs, 0);
  return {
    ...(delay === undefined ? {} : { delay }),
    ...(attempts === undefined ? {} : { attempts }),
    ...(wait === undefined ? {} : { backoff: wait }),
    ...(o.jobId === undefined ? {} : { jobId: jobId(o.jobId) }),
  };
}

/**
 * Checks the BullMQ part of a spawn's options (core's `validateSpawn` checks the rest first).
 * @param child spawned inside a task (no `jobId` then)
 * @throws InvalidTaskError (`invalid-options`) naming the option at fault, or the closest valid name for an unknown one
 */
export function resolveJobSettings(options: SpawnOptions | undefined, child: boolean): JobSettings {
  try {
    return check(options, child);
  } catch (error) {
    if (error instanceof InvalidOptionsError) throw new InvalidTaskError('invalid-options', error.message, { cause: error });
    throw error;
  }
}
