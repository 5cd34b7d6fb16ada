import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channelNames } from '@spindle/core';
import { eventTime } from '@spindle/core/events';
import type { TaskContext, TaskEvent, TaskEventKind } from '@spindle/core';

/** One line of the log: a scheduler event, or a note a body wrote during its step. */
export interface LogEntry {
  /** Milliseconds since the log started. */
  readonly at: number;
  readonly taskId: number;
  /** `note` for what a body wrote; otherwise the lifecycle event's kind. */
  readonly kind: TaskEventKind | 'note';
  /** The note, or a short description of the event. */
  readonly text: string;
}

/** What a body needs of the log: a way to say what it is doing. */
export interface StepNotes {
  note(ctx: TaskContext, text: string): void;
}

const kinds = Object.keys(channelNames) as TaskEventKind[];

/**
 * Records, in the order they happened, the lifecycle events one executor publishes on
 * `node:diagnostics_channel` and the notes its task bodies write. One clock (core's
 * `eventTime`) for both, so the lines interleave truthfully.
 */
export class EventLog implements StepNotes {
  readonly entries: LogEntry[] = [];
  /** Task names from spawn events, for printing. */
  readonly names = new Map<number, string>();
  private readonly start = eventTime();
  private readonly listener = (message: unknown): void => {
    const event = message as TaskEvent;
    if (event.executor !== this.executor) return;
    if (event.kind === 'spawn') this.names.set(event.taskId, event.name ?? event.body);
    this.entries.push({ at: event.time - this.start, taskId: event.taskId, kind: event.kind, text: describeEvent(event) });
  };
  private subscribed = false;

  /** @param executor label of the executor whose events to record */
  constructor(private readonly executor: string) {}

  /** Starts listening; returns `this` for chaining. */
  open(): this {
    if (!this.subscribed) {
      for (const kind of kinds) subscribe(channelNames[kind], this.listener);
      this.subscribed = true;
    }
    return this;
  }

  /** Stops listening. */
  close(): void {
    if (!this.subscribed) return;
    for (const kind of kinds) unsubscribe(channelNames[kind], this.listener);
    this.subscribed = false;
  }

  note(ctx: TaskContext, text: string): void {
    this.entries.push({ at: eventTime() - this.start, taskId: ctx.taskId, kind: 'note', text });
  }
}

function describeEvent(event: TaskEvent): string {
  switch (event.kind) {
    case 'spawn':
      return event.parentId === undefined ? `spawned (${event.body})` : `spawned by task #${event.parentId} (${event.body})`;
    case 'start':
      return 'first step begins';
    case 'suspend':
      return event.reason === 'wait' ? 'parked: waiting for a promise' : 'yielded: back of the ready queue';
    case 'wake':
      return 'woken: what it waited for settled';
    case 'resume':
      return 'next step begins';
    case 'steal':
      return `stolen from worker ${event.from} by ${event.to}`;
    case 'settle':
      return event.error === undefined ? event.state : `${event.state} (${event.error})`;
  }
}
