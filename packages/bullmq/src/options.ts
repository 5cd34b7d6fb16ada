import type { RedisOptions } from 'ioredis';
import { InvalidOptionsError } from '@spindle/core';
import { describeValue } from '@spindle/core/kit';

/**
 * Where Redis is: a URL (`redis://user:pass@host:6379/0`, `rediss://` for TLS) or ioredis
 * options. With the queue name, the one setting an executor and its worker processes must
 * agree on.
 */
export type RedisConnection = string | RedisOptions;

/** How BullMQ waits between attempts of a failed task. */
export interface BackoffOptions {
  readonly type: 'fixed' | 'exponential';
  /** Milliseconds: the wait (`fixed`) or the first wait, doubled each time (`exponential`). */
  readonly delay: number;
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
  /** Runs of a task before its failure is final (BullMQ `attempts`). Default 1: no retry. */
  readonly attempts?: number;
  /** Wait between attempts (BullMQ `backoff`): milliseconds (fixed) or {@link BackoffOptions}. */
  readonly backoff?: number | BackoffOptions;
  /**
   * Milliseconds a task may run in its worker before it is cancelled there (its signal
   * aborts) and the attempt fails with `TaskTimeoutError`; another attempt follows if
   * `attempts` allows. Default: no limit.
   */
  readonly timeout?: number;
  /** Tasks the in-process worker (shared-memory tasks, `localWorker`) may have ready at once. Default 64. */
  readonly localConcurrency?: number;
  /** Label used in events and errors; defaults to `bullmq#<n>`. */
  readonly label?: string;
}

/** Options of {@link runWorker}. */
export interface WorkerOptions {
  /** Redis; see {@link RedisConnection}. */
  readonly connection: RedisConnection;
  /** The queue to serve. Default `spindle`. */
  readonly queueName?: string;
  /** BullMQ's key prefix. Default `bull`. */
  readonly prefix?: string;
  /**
   * Tasks of this process that may be ready to run at once: the process takes another job
   * only while fewer than this many of its tasks are running or ready. Tasks that wait (on
   * a child, a timer, I/O) do not count, so a parent joining its children never holds a
   * worker back. Default 1: one CPU-bound task per process at a time.
   */
  readonly concurrency?: number;
  /**
   * Most jobs the process holds at once, waiting ones included: a chain of tasks each
   * joining the next holds one job per link until it unwinds. Default 10,000.
   */
  readonly maxJobs?: number;
  /**
   * BullMQ `lockDuration`, for the jobs of running tasks: a job whose lock is not renewed
   * for this long is stalled, and runs again elsewhere. A synchronous step longer than this
   * makes its job look stalled. Default 30,000.
   */
  readonly lockDuration?: number;
  /**
   * The lock of a job whose task waits (on children, a timer, I/O), at most `lockDuration`:
   * how long the jobs of a dead worker's waiting tasks (parents joining their children)
   * stay locked before they run again elsewhere. Default 5,000.
   */
  readonly parkedLockDuration?: number;
  /**
   * BullMQ `stalledInterval`: how often stalled jobs are looked for. A dead worker's jobs
   * run again within about their lock and twice this. Default 5,000.
   */
  readonly stalledInterval?: number;
  /** BullMQ `maxStalledCount`: a job stalled more often than this fails. Default 1. */
  readonly maxStalledCount?: number;
  /** Name of this worker process in BullMQ's worker list and errors. Default `<hostname>-<pid>`. */
  readonly name?: string;
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
  readonly localConcurrency: number;
  readonly label: string | undefined;
}

/** Worker options after validation. */
export interface ResolvedWorkerOptions {
  readonly connection: RedisConnection;
  readonly queueName: string;
  readonly prefix: string;
  readonly concurrency: number;
  readonly maxJobs: number;
  readonly lockDuration: number;
  readonly parkedLockDuration: number;
  readonly stalledInterval: number;
  readonly maxStalledCount: number;
  readonly name: string | undefined;
}

/** Defaults of the worker options that decide how soon the jobs of a dead worker run again. */
export const lockDefaults = { lockDuration: 30_000, parkedLockDuration: 5_000, stalledInterval: 5_000, maxStalledCount: 1 } as const;

function record(options: unknown, what: string): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('options', `${what} options must be an object, got ${describeValue(options)}`);
  }
  return options as Record<string, unknown>;
}

function integer(value: unknown, option: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionsError(option, `${option} must be an integer in [${min}, ${max}], got ${describeValue(value)}`);
  }
  return value;
}

function name(value: unknown, option: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '' || value.includes(':')) {
    throw new InvalidOptionsError(option, `${option} must be a non-empty string without ':', got ${describeValue(value)}`);
  }
  return value;
}

function optionalString(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidOptionsError(option, `${option} must be a string, got ${describeValue(value)}`);
  return value;
}

function connection(value: unknown): RedisConnection {
  if (typeof value === 'string') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidOptionsError('connection', `connection must be a redis:// or rediss:// URL or ioredis options, got ${describeValue(value)}`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new InvalidOptionsError('connection', `connection URL must start with redis:// or rediss://, got ${url.protocol}//`);
    }
    return value;
  }
  if (typeof value === 'object' && value !== null) return value;
  throw new InvalidOptionsError('connection', `connection (a redis:// URL or ioredis options) is required, got ${describeValue(value)}`);
}

function backoff(value: unknown): number | BackoffOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return integer(value, 'backoff', 0, 2 ** 31 - 1, 0);
  const o = record(value, 'backoff');
  if (o.type !== 'fixed' && o.type !== 'exponential') {
    throw new InvalidOptionsError('backoff', `backoff.type must be 'fixed' or 'exponential', got ${describeValue(o.type)}`);
  }
  return { type: o.type, delay: integer(o.delay, 'backoff.delay', 0, 2 ** 31 - 1, 0) };
}

/** Where Redis is when no `connection` is given. */
export function defaultConnection(): string {
  const fromEnvironment = process.env.SPINDLE_REDIS_URL;
  return fromEnvironment === undefined || fromEnvironment === '' ? 'redis://127.0.0.1:6379' : fromEnvironment;
}

/** Checks executor options and fills in defaults; throws `InvalidOptionsError` naming the option. */
export function resolveExecutorOptions(options: unknown): ResolvedExecutorOptions {
  const o = options === undefined ? {} : record(options, 'bullmq executor');
  const localWorker = o.localWorker ?? options === undefined;
  if (typeof localWorker !== 'boolean') throw new InvalidOptionsError('localWorker', `localWorker must be a boolean, got ${describeValue(localWorker)}`);
  return {
    connection: o.connection === undefined ? defaultConnection() : connection(o.connection),
    localWorker,
    queueName: name(o.queueName, 'queueName', 'spindle'),
    prefix: name(o.prefix, 'prefix', 'bull'),
    attempts: integer(o.attempts, 'attempts', 1, 1_000_000, 1),
    backoff: backoff(o.backoff),
    timeout: o.timeout === undefined ? undefined : integer(o.timeout, 'timeout', 1, 2 ** 31 - 1, 0),
    localConcurrency: integer(o.localConcurrency, 'localConcurrency', 1, 100_000, 64),
    label: optionalString(o.label, 'label'),
  };
}

/** Checks worker options and fills in defaults; throws `InvalidOptionsError` naming the option. */
export function resolveWorkerOptions(options: unknown): ResolvedWorkerOptions {
  const o = record(options, 'bullmq worker');
  const lockDuration = integer(o.lockDuration, 'lockDuration', 100, 2 ** 31 - 1, lockDefaults.lockDuration);
  return {
    connection: connection(o.connection),
    queueName: name(o.queueName, 'queueName', 'spindle'),
    prefix: name(o.prefix, 'prefix', 'bull'),
    concurrency: integer(o.concurrency, 'concurrency', 1, 100_000, 1),
    maxJobs: integer(o.maxJobs, 'maxJobs', 1, 1_000_000, 10_000),
    lockDuration,
    // Never longer than a running task's lock; a short lockDuration shortens it too.
    parkedLockDuration: integer(o.parkedLockDuration, 'parkedLockDuration', 100, lockDuration, Math.min(lockDefaults.parkedLockDuration, lockDuration)),
    stalledInterval: integer(o.stalledInterval, 'stalledInterval', 100, 2 ** 31 - 1, lockDefaults.stalledInterval),
    maxStalledCount: integer(o.maxStalledCount, 'maxStalledCount', 0, 1_000_000, lockDefaults.maxStalledCount),
    name: optionalString(o.name, 'name'),
  };
}
