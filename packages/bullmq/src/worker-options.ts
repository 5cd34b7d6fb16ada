import { assertKnownOptions } from '@spindle/core/kit';
import { connection, integer, maxMs, name, optionalString, record } from './option-checks.js';
import type { RedisConnection } from './option-checks.js';

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

const workerOptionNames: readonly (keyof WorkerOptions)[] = [
  'connection',
  'queueName',
  'prefix',
  'concurrency',
  'maxJobs',
  'lockDuration',
  'parkedLockDuration',
  'stalledInterval',
  'maxStalledCount',
  'name',
];

/**
 * Checks worker options and fills in defaults.
 * @throws InvalidOptionsError naming the option at fault (an unknown name, with the closest valid one)
 */
export function resolveWorkerOptions(options: unknown): ResolvedWorkerOptions {
  const o = record(options, 'bullmq worker');
  assertKnownOptions('bullmq worker', o, workerOptionNames);
  const lockDuration = integer(o.lockDuration, 'lockDuration', 100, maxMs, lockDefaults.lockDuration);
  return {
    connection: connection(o.connection),
    queueName: name(o.queueName, 'queueName', 'spindle'),
    prefix: name(o.prefix, 'prefix', 'bull'),
    concurrency: integer(o.concurrency, 'concurrency', 1, 100_000, 1),
    maxJobs: integer(o.maxJobs, 'maxJobs', 1, 1_000_000, 10_000),
    lockDuration,
    // Never longer than a running task's lock; a short lockDuration shortens it too.
    parkedLockDuration: integer(o.parkedLockDuration, 'parkedLockDuration', 100, lockDuration, Math.min(lockDefaults.parkedLockDuration, lockDuration)),
    stalledInterval: integer(o.stalledInterval, 'stalledInterval', 100, maxMs, lockDefaults.stalledInterval),
    maxStalledCount: integer(o.maxStalledCount, 'maxStalledCount', 0, 1_000_000, lockDefaults.maxStalledCount),
    name: optionalString(o.name, 'name'),
  };
}
