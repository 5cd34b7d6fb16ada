import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channelNames } from '@spindle/core';
import type { TaskEvent, TaskEventKind } from '@spindle/core';

/** A message that arrived on one of core's channels, untouched. */
export interface RecordedMessage {
  readonly channel: TaskEventKind;
  readonly message: unknown;
}

function executorOf(message: unknown): unknown {
  return typeof message === 'object' && message !== null ? (message as { executor?: unknown }).executor : undefined;
}

/** Records every message published on core's lifecycle channels while it is subscribed. */
export class EventRecorder {
  readonly recorded: RecordedMessage[] = [];
  private readonly listeners = new Map<string, (message: unknown) => void>();

  /** Subscribes to every channel. */
  start(): void {
    for (const [kind, name] of Object.entries(channelNames) as [TaskEventKind, string][]) {
      const listener = (message: unknown): void => {
        this.recorded.push({ channel: kind, message });
      };
      this.listeners.set(name, listener);
      subscribe(name, listener);
    }
  }

  /** Unsubscribes from every channel; safe to call twice. */
  stop(): void {
    for (const [name, listener] of this.listeners) unsubscribe(name, listener);
    this.listeners.clear();
  }

  /** The messages one executor published (those whose `executor` is its label), in order. */
  messagesOf(executorLabel: string): RecordedMessage[] {
    return this.recorded.filter((entry) => executorOf(entry.message) === executorLabel);
  }

  /** The events one executor published, in order. */
  eventsOf(executorLabel: string): TaskEvent[] {
    return this.messagesOf(executorLabel).map((entry) => entry.message as TaskEvent);
  }
}
