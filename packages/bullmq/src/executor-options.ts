import { InvalidOptionsError } from '@spindle/core';
import { assertKnownOptions, describeValue } from '@spindle/core/kit';
import { keepSettings } from './keep-jobs.js';
import type { KeepJobsOptions, ResolvedKeepJobs } from './keep-jobs.js';
import { backoff, connection, integer, maxMs, name, optionalBoolean, optionalString, record } from './option-checks.js';
import type { BackoffOptions, RedisConnection } from './option-checks.js';

/**
 * BullMQ's rate limiter: at most `max` jobs of the queue start in each window of `duration`
 * milliseconds, across every worker that serves it.
 */
export interface RateLimiterOptions {
  /** Jobs that may start in one window. */
  readonly max: number;
  /** The window, in milliseconds. */
  readonly duration: number;
}

/** Options of {@link BullmqExecutor}. */
export interface BullmqExecutorOptions {
  /** Redis; see {@link RedisConnection}. Default: `SPINDLE_REDIS_URL`, else `redis://127.0.0.1:6379`. */
  readonly connection?: RedisConnection;
  /**
   * Also run tasks in this process, on an in-process worker serving the queue beside any
   * worker processes (while tasks are in flight). Default: `true` for an executor made
   * without options (a self-contained executor on a local Redis, for trying it out),
   * `false` otherwise (worker processes run the tasks).
   */
  readonly localWorker?: boolean;
  /** The BullMQ queue tasks go to; worker processes serve the same name. Default `spindle`. */
  readonly queueName?: string;
  /** BullMQ's key prefix. Default `bull`. */
  readonly prefix?: string;
  /** Runs of a task before its failure is final (BullMQ `attempts`). Default 1: no retry. A spawn may say otherwise. */
  readonly attempts?: number;
  /** Wait between attempts (BullMQ `backoff`): milliseconds (fixed) or {@link BackoffOptions}. A spawn may say otherwise. */
  readonly backoff?: number | BackoffOptions;
  /**
   * Milliseconds a task may run in its worker before it is cancelled there (its signal
   * aborts) and the attempt fails with `TaskTimeoutError`; another attempt follows if
   * `attempts` allows. Default: no limit.
   */
  readonly timeout?: number;
  /**
   * BullMQ's rate limiter for the queue (`Queue.setGlobalRateLimit`): at most `max` jobs
   * start per `duration` ms, counted across every worker process, children included. It is
   * the queue's setting, kept in Redis: set before this executor's first job goes out, it
   * holds for every executor and worker of the queue until changed. Default: the queue's
   * setting is left as it is (none, unless set).
   */
  readonly limiter?: RateLimiterOptions;
  /**
   * Which finished jobs stay in Redis, for a dashboard (bull-board, Taskforce.sh) or
   * `Queue.getJob`: `true` keeps every job, `false` none, or per kind (see
   * {@link KeepJobsOptions}). Default: completed jobs go at once, failed ones stay a day.
   * A kept job shows its arguments (`job.data.a`) and its result (`job.returnvalue`) as
   * JSON where they are JSON-safe.
   */
  readonly keepJobs?: boolean | KeepJobsOptions;
  /** Tasks the in-process worker (shared-memory tasks, `localWorker`) may have ready at once. Default 64. */
  readonly localConcurrency?: number;
  /** Label used in events and errors; defaults to `bullmq#<n>`. */
  readonly label?: string;
}

/** Executor options after validation. */
export interface ResolvedExecutorOptions {
  readonly connection: RedisConnection;
  readonly localWorker: boolean;
  readonly queueName: string;
  readonly prefix: string;
  readonly attempts: number;
  readonly backoff: number | BackoffOptions | undefined;
  readonly timeout: number | undefined;
  readonly limiter: RateLimiterOptions | undefined;
  readonly keepJobs: ResolvedKeepJobs;
  readonly localConcurrency: number;
  readonly label: string | undefined;
}

const executorOptionNames: readonly (keyof BullmqExecutorOptions)[] = [
  'connection',
  'localWorker',
  'queueName',
  'prefix',
  'attempts',
  'backoff',
  'timeout',
  'limiter',
  'keepJobs',
  'localConcurrency',
  'label',
];

/** Where Redis is when no `connection` is given. */
export function defaultConnection(): string {
  const fromEnvironment = process.env.SPINDLE_REDIS_URL;
  return fromEnvironment === undefined || fromEnvironment === '' ? 'redis://127.0.0.1:6379' : fromEnvironment;
}

function limiter(value: unknown): RateLimiterOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    throw new InvalidOptionsError('limiter', `limiter must be { max, duration }, got ${describeValue(value)}`);
  }
  assertKnownOptions('bullmq limiter', value, ['max', 'duration']);
  const o = value as Record<string, unknown>;
  if (o.max === undefined || o.duration === undefined) {
    throw new InvalidOptionsError('limiter', `limiter needs both max and duration, got ${describeValue(value)}`);
  }
  return { max: integer(o.max, 'limiter.max', 1, 1_000_000_000, 1), duration: integer(o.duration, 'limiter.duration', 1, maxMs, 1) };
}

/**
 * Checks executor options and fills in defaults.
 * @throws InvalidOptionsError naming the option at fault (an unknown name, with the closest valid one)
 */
export function resolveExecutorOptions(options: unknown): ResolvedExecutorOptions {
  const o = options === undefined ? {} : record(options, 'bullmq executor');
  assertKnownOptions('bullmq executor', o, executorOptionNames);
  return {
    connection: o.connection === undefined ? defaultConnection() : connection(o.connection),
    localWorker: optionalBoolean(o.localWorker, 'localWorker') ?? options === undefined,
    queueName: name(o.queueName, 'queueName', 'spindle'),
    prefix: name(o.prefix, 'prefix', 'bull'),
    attempts: integer(o.attempts, 'attempts', 1, 1_000_000, 1),
    backoff: backoff(o.backoff),
    timeout: o.timeout === undefined ? undefined : integer(o.timeout, 'timeout', 1, maxMs, 0),
    limiter: limiter(o.limiter),
    keepJobs: keepSettings(o.keepJobs),
    localConcurrency: integer(o.localConcurrency, 'localConcurrency', 1, 100_000, 64),
    label: optionalString(o.label, 'label'),
  };
}
