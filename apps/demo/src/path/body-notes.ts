import { eventTime } from '@spindle/core/events';
import type { TaskContext } from '@spindle/core';
import type { StepNotes } from '../event-log.js';

/** Collects what bodies say during their steps, stamped on the events' clock. */
export class BodyNotes implements StepNotes {
  readonly lines: string[] = [];
  private readonly start = eventTime();

  note(ctx: TaskContext, text: string): void {
    this.lines.push(`t=${(eventTime() - this.start).toFixed(1).padStart(7)} ms  task#${String(ctx.taskId)} » ${text}`);
  }
}
