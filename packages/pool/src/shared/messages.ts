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
  /** Ids of tasks spawned in workers are `idBase + n`, apart from main-thread ids. */
  readonly idBase: number;
}

/** Main thread to worker. */
export type ToWorker =
  | { readonly t: 'task'; readonly slot: number; readonly payload: Payload }
  | { readonly t: 'result'; readonly slot: number; readonly status: number; readonly value: unknown };
