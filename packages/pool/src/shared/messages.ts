import type { Payload } from './payload.js';
import type { SharedBuffers } from './shared-state.js';

/** What a worker is started with. */
export interface WorkerInit {
  readonly buffers: SharedBuffers;
  readonly index: number;
  readonly workers: number;
  /** Floor below which workers do not retire. */
  readonly minThreads: number;
  /** Milliseconds parked with nothing to do before a worker above the floor retires. */
  readonly idleTimeout: number;
  readonly label: string;
  /** Ids of tasks spawned in workers are `idBase + n`, apart from main-thread ids (see {@link childTaskId}). */
  readonly idBase: number;
}

/**
 * The id of the `n`th task spawned in the pool's workers: `n` comes from a 32-bit counter
 * in shared memory, which wraps; read unsigned, every id stays within the pool's block of
 * 2^32 ids above `idBase` (after 2^32 children, ids are reused from the block's start).
 */
export function childTaskId(idBase: number, n: number): number {
  return idBase + (n >>> 0);
}

/** Main thread to worker. */
export type ToWorker =
  | { readonly t: 'task'; readonly slot: number; readonly payload: Payload }
  | { readonly t: 'result'; readonly slot: number; readonly status: number; readonly value: unknown };
