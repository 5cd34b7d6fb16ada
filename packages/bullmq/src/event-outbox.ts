import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Redis } from 'ioredis';
import { channelNames } from '@spindle/core';
import type { SettleEvent, TaskEvent } from '@spindle/core';
import { post } from './inbox.js';

/**
 * Lifecycle events a worker process owes the executors that spawned its jobs: buffered per
 * executor inbox and sent in batches, always before the outcome or child job they lead to
 * (the runtime flushes first), so that each executor publishes them in order.
 */
export class EventOutbox {
  /** Label core stamps on settle events about the runtime's tasks; see JobOwner. */
  private readonly label: string;
  /** The process id: events from here carry it as `thread`, one timeline row per process. */
  private readonly thread: number;
  private readonly onError: (error: unknown) => void;
  private readonly out = new Map<string, TaskEvent[]>();
  /** Children whose settle event (published by core) goes to an executor's inbox, by task id. */
  private readonly forwarded = new Map<number, { readonly inbox: string; readonly executor: string }>();
  private listening = false;
  private readonly settleListener = (message: unknown): void => {
    const event = message as SettleEvent;
    if (event.executor !== this.label) return;
    const forward = this.forwarded.get(event.taskId);
    if (forward === undefined) return;
    this.forwarded.delete(event.taskId);
    this.emit(forward.inbox, { ...event, executor: forward.executor, thread: this.thread });
  };

  constructor(label: string, thread: number, onError: (error: unknown) => void) {
    this.label = label;
    this.thread = thread;
    this.onError = onError;
  }

  /** Buffers an event for an executor's inbox. */
  emit(inbox: string, event: TaskEvent): void {
    const list = this.out.get(inbox);
    if (list === undefined) this.out.set(inbox, [event]);
    else list.push(event);
  }

  /** Sends a child's settle event, when core publishes it, to its executor, renamed. */
  forwardSettle(taskId: number, inbox: string, executor: string): void {
    this.forwarded.set(taskId, { inbox, executor });
    if (this.listening) return;
    this.listening = true;
    subscribe(channelNames.settle, this.settleListener);
  }

  /** Sends what is buffered; commands sent after this on `redis` arrive after it. */
  flush(redis: Redis | undefined): void {
    if (this.out.size === 0 || redis === undefined) return;
    for (const [inbox, events] of this.out) post(redis, inbox, [0, events]).catch(this.onError);
    this.out.clear();
  }

  /** Stops listening to core's settle channel. */
  close(): void {
    if (this.listening) unsubscribe(channelNames.settle, this.settleListener);
    this.listening = false;
  }
}
