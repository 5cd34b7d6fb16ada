import type { ExecutorCapabilities } from './capabilities.js';
import type { Spawner } from './spawner.js';

/** How `close()` treats work already accepted. */
export interface CloseOptions {
  /**
   * `drain` (default): stop intake, let every accepted task settle, then resolve.
   * `cancel`: stop intake, cancel every unsettled task, wait for their cleanup, then resolve.
   */
  readonly mode?: 'drain' | 'cancel';
  /** The cancellation reason in `cancel` mode; tasks reject with it as `cause`. */
  readonly reason?: unknown;
}

/** The interface every Spindle executor implements; task code is written against it. */
export interface Executor extends AsyncDisposable, Spawner {
  /** What this executor can do. */
  readonly capabilities: ExecutorCapabilities;
  /** Label used in events and errors, e.g. `round-robin#1`. */
  readonly label: string;
  /** True once `close()` has been called. */
  readonly closed: boolean;
  // `spawn` (from Spawner): accepts a task and returns its handle at once; throws
  // InvalidTaskError for a body, arguments or options that cannot run, and
  // ExecutorClosedError after `close()`.
  /** Stops intake and drains or cancels; never loses an accepted task silently. Idempotent. */
  close(options?: CloseOptions): Promise<void>;
  /** Same as `close({ mode: 'drain' })`. */
  [Symbol.asyncDispose](): Promise<void>;
}
