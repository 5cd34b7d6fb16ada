import type { TaskEvent } from '@spindle/core';
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

/** Items a worker sends the main thread, in batches; the first field is a sequence number or -1. */
export type OutItem =
  | readonly [seq: number, kind: 0, event: TaskEvent]
  /** A main-thread task finished; its status and result are in its slot. */
  | readonly [seq: number, kind: 1, slot: number, taskId: number]
  /** A main-thread task finished with a result too large for its slot. */
  | readonly [seq: number, kind: 3, slot: number, status: number, value: unknown]
  | readonly [seq: number, kind: 2, owner: number, slot: number, status: number, value: unknown];
