import { BroadcastChannel } from 'node:worker_threads';
import { channelNames } from '@spindle/core';
import { forEachTaskEvent, subscribeTaskEventStream } from '@spindle/core/events';
import type { TaskEvent } from '@spindle/core';

/**
 * Name of the `BroadcastChannel` that {@link forwardEvents} posts worker-thread events on.
 * Every listener on the main thread opens its own end of it.
 */
export const FORWARD_CHANNEL = 'spindle:diagnostics:events';

/** Receives one lifecycle event. */
export type TaskEventListener = (event: TaskEvent) => void;

/** Where a listener takes events from. */
export interface TaskEventSourceOptions {
  /**
   * Also receive events that worker threads forward with {@link forwardEvents}. Default
   * `true`. (Executors that forward their workers' events to the main thread themselves,
   * as `@spindle/pool` does, need no forwarding: their events arrive on this thread's
   * channels.)
   */
  readonly workers?: boolean;
}

/**
 * Subscribes `listener` to every Spindle lifecycle event on this thread (and to events
 * forwarded from workers), and returns the function that unsubscribes it. Events of
 * executors built on core's helpers come from core's batch channel, anything else from the
 * per-kind channels; each arrives once, as an event object. Nothing here keeps the process
 * alive.
 */
export function subscribeTaskEvents(listener: TaskEventListener, options?: TaskEventSourceOptions): () => void {
  let warned = false;
  // Listeners run inside the executor's publish call: an error thrown there would surface
  // in the watched program. Diagnostics must never crash it, so errors become one warning.
  const guarded = (event: TaskEvent): void => {
    try {
      listener(event);
    } catch (error) {
      if (warned) return;
      warned = true;
      process.emitWarning(`@spindle/diagnostics: an event listener threw (further errors are ignored): ${String(error)}`, 'SpindleDiagnosticsWarning');
    }
  };
  const unsubscribe = subscribeTaskEventStream({
    onBatch: (batch) => {
      forEachTaskEvent(batch, guarded);
    },
    onEvent: guarded,
  });
  const stopWorkers = options?.workers ?? true ? listenToWorkers(guarded) : undefined;
  return () => {
    unsubscribe();
    stopWorkers?.();
  };
}

/** How long the shared end of the forwarding channel stays open once nobody listens. */
const KEEP_PORT_MS = 1000;

/** This thread's end of the forwarding channel, shared by every listener on it. */
let port: BroadcastChannel | undefined = undefined;
const workerListeners = new Set<TaskEventListener>();
let closeTimer: NodeJS.Timeout | undefined = undefined;

function openPort(): void {
  if (closeTimer !== undefined) clearTimeout(closeTimer);
  closeTimer = undefined;
  if (port !== undefined) return;
  const opened = new BroadcastChannel(FORWARD_CHANNEL);
  opened.onmessage = (message: unknown) => {
    const data: unknown = (message as { data?: unknown }).data;
    if (!Array.isArray(data) || workerListeners.size === 0) return;
    for (const event of data as unknown[]) {
      if (!isTaskEvent(event)) continue;
      for (const listener of workerListeners) listener(event);
    }
  };
  opened.unref();
  port = opened;
}

/**
 * Keeps the port a while after its last listener leaves: opening a `BroadcastChannel`
 * costs tens of microseconds, and a recorder started and stopped around each run of a
 * program would pay it every time.
 */
function releasePort(): void {
  if (workerListeners.size > 0 || port === undefined || closeTimer !== undefined) return;
  closeTimer = setTimeout(() => {
    closeTimer = undefined;
    if (workerListeners.size > 0) return;
    port?.close();
    port = undefined;
  }, KEEP_PORT_MS);
  closeTimer.unref();
}

/**
 * Passes `listener` the events that worker threads forward with {@link forwardEvents};
 * returns the function that stops. Listeners share one end of the channel, which is
 * unref'd: a recorder must never be the reason a program keeps running.
 */
export function listenToWorkers(listener: TaskEventListener): () => void {
  // A listener added twice is called once per add: each add gets its own entry.
  const entry: TaskEventListener = (event) => {
    listener(event);
  };
  workerListeners.add(entry);
  openPort();
  return () => {
    if (!workerListeners.delete(entry)) return;
    releasePort();
  };
}

/** True for an object shaped like a lifecycle event (messages from other threads are checked). */
export function isTaskEvent(value: unknown): value is TaskEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Partial<Record<keyof TaskEvent, unknown>>;
  return (
    typeof event.kind === 'string' &&
    Object.hasOwn(channelNames, event.kind) &&
    typeof event.taskId === 'number' &&
    typeof event.executor === 'string' &&
    typeof event.thread === 'number' &&
    typeof event.time === 'number'
  );
}
