import type { TaskEvent } from '@spindle/core';

/** A parked span as the raw events tell it. */
export interface ExpectedWait {
  readonly executor: string;
  readonly taskId: number;
  readonly start: number;
  readonly end: number;
}

/**
 * The parked spans of every task, read straight from the events and independently of the
 * package's tracker: from a `suspend` with reason `wait` to that task's next `wake`,
 * `resume` or `settle` (or `endTime` if none came). Sorted by task, then start.
 */
export function expectedWaits(events: readonly TaskEvent[], endTime?: number): ExpectedWait[] {
  const open = new Map<string, { executor: string; taskId: number; start: number }>();
  const waits: ExpectedWait[] = [];
  for (const event of events) {
    const key = `${event.executor}#${String(event.taskId)}`;
    const since = open.get(key);
    if (since !== undefined && (event.kind === 'wake' || event.kind === 'resume' || event.kind === 'settle')) {
      waits.push({ ...since, end: event.time });
      open.delete(key);
    }
    if (event.kind === 'suspend' && event.reason === 'wait') open.set(key, { executor: event.executor, taskId: event.taskId, start: event.time });
  }
  if (endTime !== undefined) for (const since of open.values()) waits.push({ ...since, end: endTime });
  return waits.sort((a, b) => a.taskId - b.taskId || a.start - b.start);
}
