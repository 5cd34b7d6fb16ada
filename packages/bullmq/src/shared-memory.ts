import { randomUUID } from 'node:crypto';

/**
 * Shared memory (a `SharedArrayBuffer`) cannot leave the process that made it: a job's
 * arguments travel through Redis as bytes, and bytes are a copy. Tasks whose arguments
 * hold shared memory are therefore pinned to the process that spawned them (see
 * `BullmqExecutor`), and their buffers wait here, by id, for the in-process worker that
 * runs them, the way the pool keeps such tasks on one thread.
 *
 * The registry is per process (a `globalThis` symbol), so the ESM and CommonJS builds of
 * this package, loaded side by side, see the same buffers.
 */
interface Registry {
  /** Names this process in pinned jobs, so that no other process tries to run them. */
  readonly process: string;
  /** Buffers by id, with the number of unsettled pinned tasks that refer to each. */
  readonly buffers: Map<number, { readonly buffer: SharedArrayBuffer; refs: number }>;
  readonly ids: WeakMap<SharedArrayBuffer, number>;
  next: number;
}

const key = Symbol.for('@spindle/bullmq:shared-memory');

function registry(): Registry {
  const holder = globalThis as { [key]?: Registry };
  const existing = holder[key];
  if (existing !== undefined) return existing;
  const made: Registry = { process: randomUUID(), buffers: new Map(), ids: new WeakMap(), next: 1 };
  holder[key] = made;
  return made;
}

/** The token that names this process in pinned jobs. */
export function processToken(): string {
  return registry().process;
}

/** Registers a buffer for one more pinned task and returns its id in this process. */
export function shareBuffer(buffer: SharedArrayBuffer): number {
  const r = registry();
  let id = r.ids.get(buffer);
  if (id === undefined) {
    id = r.next++;
    r.ids.set(buffer, id);
  }
  const entry = r.buffers.get(id);
  if (entry === undefined) r.buffers.set(id, { buffer, refs: 1 });
  else entry.refs++;
  return id;
}

/** The buffer registered under `id`, if this process holds it. */
export function sharedBuffer(id: number): SharedArrayBuffer | undefined {
  return registry().buffers.get(id)?.buffer;
}

/** A pinned task settled: its buffers are held for one task fewer. */
export function releaseBuffers(ids: readonly number[]): void {
  const r = registry();
  for (const id of ids) {
    const entry = r.buffers.get(id);
    if (entry !== undefined && --entry.refs <= 0) r.buffers.delete(id);
  }
}
