import diagnosticsChannel from 'node:diagnostics_channel';
import { TaskEventCode, batchChannel, batchChannelName, taskEventRecord } from './event-batch.js';
import type { TaskEventBatch } from './event-batch.js';
import { flushTaskEvents } from './batch-log.js';
import type { TaskEventLog } from './event-log.js';
import { channels, currentThread, eventTime } from './channels.js';
import { channelNames } from '../contract/lifecycle-events.js';
import type { TaskEvent, TaskEventKind } from '../contract/lifecycle-events.js';
import type { Spawnable } from '../contract/body.js';
import { describeBody } from '../shared/describe-body.js';
import { processState } from '../shared/process-state.js';

/** What {@link subscribeTaskEventStream} delivers to. */
export interface TaskEventStreamListener {
  /** A batch from an executor built on core's helpers; see {@link TaskEventBatch} (read it now, it is reused). */
  onBatch(batch: TaskEventBatch): void;
  /** An event somebody else published on a per-kind channel (a custom executor, a test). */
  onEvent(event: TaskEvent): void;
}

const kinds = Object.keys(channelNames) as TaskEventKind[];

// How many stream subscribers there are, and which event core is publishing right now, are
// kept in `processState`, shared by every copy of core on this thread. The count is one
// number rather than one per kind: it is read per step, and a lookup by kind there is a
// megamorphic keyed load.

/**
 * Every lifecycle event published on this thread, as cheaply as it can travel: events of
 * executors built on core's helpers arrive as batches on the batch channel, and anything
 * published directly on the per-kind channels arrives as it is. Each event arrives once.
 * Returns the function that unsubscribes (publishing what is still being gathered first).
 *
 * Why not just the per-kind channels: a subscriber there makes every executor build an
 * event object, read the clock and publish for each start, resume and suspend — several
 * times the cost of a small step. A stream subscriber on its own costs the executors one
 * clock read and a few array writes per step.
 */
export function subscribeTaskEventStream(listener: TaskEventStreamListener): () => void {
  const onBatch = (message: unknown): void => {
    listener.onBatch(message as TaskEventBatch);
  };
  const onEvent = (message: unknown): void => {
    // Core's own events reach stream subscribers in batches; this copy went to someone else.
    if (message !== processState.publishing) listener.onEvent(message as TaskEvent);
  };
  diagnosticsChannel.subscribe(batchChannelName, onBatch);
  processState.streamSubscribers++;
  for (const kind of kinds) diagnosticsChannel.subscribe(channelNames[kind], onEvent);
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    flushTaskEvents();
    for (const kind of kinds) diagnosticsChannel.unsubscribe(channelNames[kind], onEvent);
    processState.streamSubscribers--;
    diagnosticsChannel.unsubscribe(batchChannelName, onBatch);
  };
}

/**
 * True when `kind`'s per-kind channel has a subscriber that wants core's events as objects:
 * anyone but a stream subscriber. Cheap when nobody listens (one property read).
 */
export function wantsTaskEventObjects(kind: TaskEventKind): boolean {
  return wantsObjects(channels[kind]);
}

/** {@link wantsTaskEventObjects} for a channel in hand (no lookup by kind on the step path). */
export function wantsObjects(channel: diagnosticsChannel.Channel): boolean {
  if (!channel.hasSubscribers) return false;
  const streamSubscribers = processState.streamSubscribers;
  if (streamSubscribers === 0) return true;
  // `_subscribers` is Node's own list of a channel's subscribers (Node 20 to 24). Were it
  // ever missing, everyone is assumed to want objects: stream subscribers skip those
  // (they have the batch), so events are never lost or doubled, only dearer.
  const list: unknown = (channel as unknown as { _subscribers?: unknown })._subscribers;
  return !Array.isArray(list) || list.length > streamSubscribers;
}

/** Publishes `event` on its per-kind channel, marked so that stream subscribers skip it. */
export function publishTaskEventObject(event: TaskEvent, channel: diagnosticsChannel.Channel = channels[event.kind]): void {
  const previous = processState.publishing;
  processState.publishing = event;
  try {
    channel.publish(event);
  } finally {
    processState.publishing = previous;
  }
}

/**
 * Publishes a lifecycle event to everyone who listens: as an object on its per-kind channel
 * for those subscribers, and into `log` (or as a batch of its own, without a log) for batch
 * subscribers. For executors that publish events themselves (one not built on
 * the kit's harness, or one relaying events from worker threads).
 */
export function publishTaskEvent(event: TaskEvent, log?: TaskEventLog): void {
  if (wantsTaskEventObjects(event.kind)) publishTaskEventObject(event);
  if (!batchChannel.hasSubscribers) return;
  if (log !== undefined) {
    log.event(event);
    return;
  }
  batchChannel.publish({
    executor: event.executor,
    thread: event.thread,
    length: 1,
    count: 1,
    records: Float64Array.of(taskEventRecord(event.taskId, TaskEventCode.Event)),
    events: [event],
    strings: [],
  } satisfies TaskEventBatch);
}

/**
 * Publishes the `spawn` of task `taskId` of executor `executor`: packed into `log` for
 * batch subscribers (no object per task), as an object for per-kind subscribers that want
 * one. Without a log, as {@link publishTaskEvent} does.
 * Costs two property reads when nobody listens (the body is described only for a listener).
 * @param parentId the parent's id, or `undefined` for a task spawned from outside any task
 */
export function publishSpawn(executor: string, log: TaskEventLog | undefined, taskId: number, name: string | undefined, parentId: number | undefined, body: Spawnable): void {
  if (!channels.spawn.hasSubscribers && !batchChannel.hasSubscribers) return;
  if (log !== undefined && !wantsObjects(channels.spawn)) {
    log.spawned(taskId, parentId ?? -1, name, describeBody(body));
    return;
  }
  const event = { kind: 'spawn', taskId, executor, thread: currentThread, time: eventTime(), name, parentId, body: describeBody(body) } as const;
  if (log === undefined) {
    publishTaskEvent(event);
    return;
  }
  publishTaskEventObject(event, channels.spawn);
  if (batchChannel.hasSubscribers) log.spawned(taskId, parentId ?? -1, name, event.body);
}
