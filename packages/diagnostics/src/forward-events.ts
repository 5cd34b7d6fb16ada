import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';
import { channelNames, SpindleError } from '@spindle/core';
import type { TaskEvent, TaskEventKind } from '@spindle/core';
import { FORWARD_CHANNEL } from './task-event-source.js';

/** Options of {@link forwardEvents}. */
export interface ForwardEventsOptions {
  /**
   * Events sent in one message at most. Default 256. Events are batched and sent at the
   * end of the current job (a microtask) or when the batch is full, whichever is first.
   */
  readonly batchSize?: number;
}

/** What {@link forwardEvents} returns. */
export interface EventForwarder {
  /** Sends the events batched so far now (call it before a thread blocks, e.g. `Atomics.wait`). */
  flush(): void;
  /** Flushes, stops forwarding and closes the channel. */
  stop(): void;
  /** Same as {@link EventForwarder.stop}, for `using`. */
  [Symbol.dispose](): void;
}

const kinds = Object.keys(channelNames) as TaskEventKind[];

/**
 * Call inside a worker thread: forwards the Spindle lifecycle events published on that
 * thread to recorders, metrics and detectors on the main thread (over a
 * `BroadcastChannel`), so that work done in workers shows up in the same timeline. Events
 * keep their own `thread` and `time` (one clock across threads), so nothing is re-stamped.
 *
 * While it runs, the worker's channels have a subscriber, so executors there build event
 * payloads; call {@link EventForwarder.stop} to end that cost.
 *
 * @throws SpindleError on the main thread, where the events are already seen directly
 */
export function forwardEvents(options?: ForwardEventsOptions): EventForwarder {
  if (isMainThread) throw new SpindleError('forwardEvents() is for worker threads; the main thread sees its own events directly');
  const batchSize = options?.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new SpindleError(`forwardEvents(): batchSize must be a positive integer, got ${String(batchSize)}`);
  }
  const port = new BroadcastChannel(FORWARD_CHANNEL);
  port.unref();
  let batch: TaskEvent[] = [];
  let scheduled = false;
  let stopped = false;
  const flush = (): void => {
    scheduled = false;
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    port.postMessage(events);
  };
  const onMessage = (message: unknown): void => {
    batch.push(message as TaskEvent);
    if (batch.length >= batchSize) flush();
    else if (!scheduled) {
      scheduled = true;
      queueMicrotask(flush);
    }
  };
  for (const kind of kinds) subscribe(channelNames[kind], onMessage);
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    for (const kind of kinds) unsubscribe(channelNames[kind], onMessage);
    flush();
    port.close();
  };
  return { flush, stop, [Symbol.dispose]: stop };
}
