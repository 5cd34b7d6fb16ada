import { channel } from 'node:diagnostics_channel';

/** Names of the pool's own `node:diagnostics_channel` channels. */
export const poolChannelNames = {
  /** A worker was added: {@link PoolGrowEvent}. */
  grow: 'spindle:pool:grow',
  /** A worker retired: {@link PoolRetireEvent}. */
  retire: 'spindle:pool:retire',
} as const;

/**
 * Published on `spindle:pool:grow` when the pool adds a worker between `minThreads` and
 * `maxThreads`. Growth under `starvation` can hide a sync-over-async deadlock (tasks
 * blocking their thread on work that needs another thread) rather than cure it: a steady
 * stream of these events is worth a look.
 */
export interface PoolGrowEvent {
  readonly pool: string;
  /** Index of the new worker. */
  readonly worker: number;
  /** Workers running after the growth. */
  readonly threads: number;
  /**
   * `starvation`: work waited at least `growAfter` ms while every worker was busy and none
   * started a task; `no-worker`: work arrived after every worker had retired (`minThreads: 0`).
   */
  readonly cause: 'starvation' | 'no-worker';
  /** Tasks waiting to start when the pool grew. */
  readonly queued: number;
  /** Milliseconds without progress that triggered it (0 for `no-worker`). */
  readonly waitedMs: number;
  /** `performance.now()` on the main thread. */
  readonly time: number;
}

/** Published on `spindle:pool:retire` when an idle worker above `minThreads` leaves. */
export interface PoolRetireEvent {
  readonly pool: string;
  /** Index of the worker that left. */
  readonly worker: number;
  /** Workers running after it left. */
  readonly threads: number;
  /** Always `idle-timeout`: it waited `idleTimeout` ms with nothing to do. */
  readonly cause: 'idle-timeout';
  readonly idleTimeout: number;
  /** `performance.now()` on the main thread. */
  readonly time: number;
}

const growChannel = channel(poolChannelNames.grow);
const retireChannel = channel(poolChannelNames.retire);

/** Publishes a growth, if anybody listens (the event is made only then). */
export function publishGrow(event: () => PoolGrowEvent): void {
  if (growChannel.hasSubscribers) growChannel.publish(event());
}

/** Publishes a retirement, if anybody listens. */
export function publishRetire(event: () => PoolRetireEvent): void {
  if (retireChannel.hasSubscribers) retireChannel.publish(event());
}
