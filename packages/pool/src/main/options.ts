import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { InvalidOptionsError } from '@spindle/core';
import { assertKnownOptions, describeValue } from '@spindle/core/kit';

/** Options of {@link PoolExecutor}. */
export interface PoolOptions {
  /** Workers to run (sets both `minThreads` and `maxThreads`). Default `os.availableParallelism()`. */
  readonly threads?: number;
  /** Workers kept even when idle. Default: `maxThreads`. */
  readonly minThreads?: number;
  /** Most workers the pool runs. Default `os.availableParallelism()`. */
  readonly maxThreads?: number;
  /** Milliseconds an idle worker above `minThreads` waits before it retires. Default 10,000. */
  readonly idleTimeout?: number;
  /**
   * Milliseconds queued work may wait, with every worker busy and no task started, before
   * the pool adds a worker (up to `maxThreads`): the .NET thread pool's starvation rule.
   * Default 500.
   */
  readonly growAfter?: number;
  /** Most tasks waiting to start before backpressure applies. Default `Infinity`. */
  readonly maxQueue?: number;
  /** At `maxQueue`: `reject` throws `QueueFullError` from `spawn`; `wait` accepts and queues on the main thread (await `whenQueueBelowMax()`). Default `reject`. */
  readonly onFull?: 'reject' | 'wait';
  /** Per-worker V8 limits, as for `new Worker`. */
  readonly resourceLimits?: ResourceLimits;
  /** Node flags for the workers. Default `[]` (the parent's flags are not inherited). */
  readonly execArgv?: readonly string[];
  /** Environment of the workers. Default: a copy of `process.env`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Capacity of each worker's deque (a power of two). Default 256. */
  readonly dequeCapacity?: number;
  /** Task slots in shared memory (tasks in flight that can move between workers). Default 16,384. */
  readonly slots?: number;
  /** Bytes of a slot: serialised reference + arguments (or result) larger than this stay on one worker. Default 512. */
  readonly slotBytes?: number;
  /**
   * Milliseconds a cancelled task may keep its worker's thread in one step (a synchronous
   * loop that never reaches a yield) before the pool terminates that worker and starts a
   * new one, so that the cancelled task settles. Other tasks parked on that worker fail
   * with `WorkerCrashedError`; tasks queued on it run elsewhere. Default 1,000;
   * `Infinity` never terminates.
   */
  readonly cancelTimeout?: number;
  /** Label used in events and errors; defaults to `pool#<n>`. */
  readonly label?: string;
}

/** Options after validation, with defaults filled in. */
export interface ResolvedPoolOptions {
  readonly minThreads: number;
  readonly maxThreads: number;
  readonly idleTimeout: number;
  readonly growAfter: number;
  readonly maxQueue: number;
  readonly onFull: 'reject' | 'wait';
  readonly resourceLimits: ResourceLimits | undefined;
  readonly execArgv: readonly string[];
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly dequeCapacity: number;
  readonly slots: number;
  readonly slotBytes: number;
  readonly cancelTimeout: number;
  readonly label: string | undefined;
}

function integer(value: unknown, option: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionsError(option, `${option} must be an integer in [${min}, ${max}], got ${describeValue(value)}`);
  }
  return value;
}

/** Every option name of {@link PoolOptions}: any other is refused (a misspelling such as `thread`). */
const optionNames: readonly (keyof PoolOptions)[] = [
  'threads',
  'minThreads',
  'maxThreads',
  'idleTimeout',
  'growAfter',
  'maxQueue',
  'onFull',
  'resourceLimits',
  'execArgv',
  'env',
  'dequeCapacity',
  'slots',
  'slotBytes',
  'cancelTimeout',
  'label',
];

/**
 * Checks user options and fills in defaults; throws `InvalidOptionsError` naming the option
 * (for an unknown name, the closest known one too).
 */
export function resolvePoolOptions(options: unknown): ResolvedPoolOptions {
  assertKnownOptions('pool', options, optionNames);
  const o = (options ?? {}) as Record<string, unknown>;
  const cores = availableParallelism();
  const threads = o.threads === undefined ? undefined : integer(o.threads, 'threads', 1, 1024);
  const maxThreads = o.maxThreads === undefined ? (threads ?? Math.max(cores, typeof o.minThreads === 'number' ? o.minThreads : 1)) : integer(o.maxThreads, 'maxThreads', 1, 1024);
  const minThreads = o.minThreads === undefined ? (threads ?? maxThreads) : integer(o.minThreads, 'minThreads', 0, 1024);
  if (minThreads > maxThreads) throw new InvalidOptionsError('minThreads', `minThreads (${minThreads}) must not exceed maxThreads (${maxThreads})`);
  const idleTimeout = o.idleTimeout === undefined ? 10_000 : integer(o.idleTimeout, 'idleTimeout', 0, 2 ** 31 - 1);
  const growAfter = o.growAfter === undefined ? 500 : integer(o.growAfter, 'growAfter', 1, 2 ** 31 - 1);
  const maxQueue = o.maxQueue === undefined || o.maxQueue === Infinity ? Infinity : integer(o.maxQueue, 'maxQueue', 0, 2 ** 31 - 1);
  const onFull = o.onFull ?? 'reject';
  if (onFull !== 'reject' && onFull !== 'wait') throw new InvalidOptionsError('onFull', `onFull must be 'reject' or 'wait', got ${describeValue(onFull)}`);
  const resourceLimits = o.resourceLimits;
  if (resourceLimits !== undefined && (typeof resourceLimits !== 'object' || resourceLimits === null)) {
    throw new InvalidOptionsError('resourceLimits', `resourceLimits must be an object, got ${describeValue(resourceLimits)}`);
  }
  const execArgv = o.execArgv ?? [];
  if (!Array.isArray(execArgv) || !execArgv.every((flag) => typeof flag === 'string')) {
    throw new InvalidOptionsError('execArgv', `execArgv must be an array of strings, got ${describeValue(execArgv)}`);
  }
  const env = o.env;
  if (env !== undefined && (typeof env !== 'object' || env === null)) throw new InvalidOptionsError('env', `env must be an object, got ${describeValue(env)}`);
  const dequeCapacity = o.dequeCapacity === undefined ? 256 : integer(o.dequeCapacity, 'dequeCapacity', 2, 1 << 20);
  if ((dequeCapacity & (dequeCapacity - 1)) !== 0) throw new InvalidOptionsError('dequeCapacity', `dequeCapacity must be a power of two, got ${dequeCapacity}`);
  const slots = o.slots === undefined ? 16_384 : integer(o.slots, 'slots', 16, 1 << 22);
  const slotBytes = o.slotBytes === undefined ? 512 : integer(o.slotBytes, 'slotBytes', 64, 1 << 20);
  const cancelTimeout = o.cancelTimeout === undefined ? 1000 : o.cancelTimeout === Infinity ? Infinity : integer(o.cancelTimeout, 'cancelTimeout', 1, 2 ** 31 - 1);
  const label = o.label;
  if (label !== undefined && typeof label !== 'string') throw new InvalidOptionsError('label', `label must be a string, got ${describeValue(label)}`);
  return {
    minThreads,
    maxThreads,
    idleTimeout,
    growAfter,
    maxQueue,
    onFull,
    resourceLimits: resourceLimits,
    execArgv: execArgv,
    env: env as Record<string, string> | undefined,
    dequeCapacity,
    slots,
    slotBytes: slotBytes & ~7,
    cancelTimeout,
    label,
  };
}
