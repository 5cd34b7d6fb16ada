import type { TaskEvent } from '@spindle/core';

/** Where a task is in the lifecycle grammar, as far as its events tell. */
type Phase = 'new' | 'spawned' | 'running' | 'ready' | 'parked' | 'settled';

/**
 * What may follow what, per task:
 * `spawn, start, (suspend, [wake], resume)*, settle`, where
 * - a task cancelled before it started goes straight from `spawn` to `settle`;
 * - `suspend` with reason `yield` is followed by `resume` (it is ready, not parked, so no `wake`);
 * - `suspend` with reason `wait` parks it: `wake` then `resume`, or `resume` directly when
 *   cancellation makes it ready without what it waited for;
 * - a task that is not running may settle (cancelled while queued or parked);
 * - `steal` may move it between queues while it waits to start or is ready.
 */
function next(phase: Phase, event: TaskEvent): Phase | undefined {
  switch (event.kind) {
    case 'spawn':
      return phase === 'new' ? 'spawned' : undefined;
    case 'start':
      return phase === 'spawned' ? 'running' : undefined;
    case 'suspend':
      if (phase !== 'running') return undefined;
      return event.reason === 'yield' ? 'ready' : 'parked';
    case 'wake':
      return phase === 'parked' ? 'ready' : undefined;
    case 'resume':
      return phase === 'ready' || phase === 'parked' ? 'running' : undefined;
    case 'steal':
      return phase === 'spawned' || phase === 'ready' ? phase : undefined;
    case 'settle':
      return phase === 'new' || phase === 'settled' ? undefined : 'settled';
  }
}

function label(event: TaskEvent): string {
  return event.kind === 'suspend' ? `suspend(${event.reason})` : event.kind === 'settle' ? `settle(${event.state})` : event.kind;
}

/**
 * Checks the events of one executor, in the order they were published. Returns a list of
 * problems, empty when every task's events follow the lifecycle grammar and every task
 * that was spawned has settled.
 */
export function taskEventProblems(events: readonly TaskEvent[]): string[] {
  const phases = new Map<number, Phase>();
  const histories = new Map<number, string[]>();
  const lastTime = new Map<number, { time: number; thread: number }>();
  const problems: string[] = [];
  for (const event of events) {
    const history = histories.get(event.taskId) ?? [];
    histories.set(event.taskId, history);
    history.push(label(event));
    const phase = phases.get(event.taskId) ?? 'new';
    const after = next(phase, event);
    if (after === undefined) {
      problems.push(`task ${event.taskId}: ${label(event)} cannot follow ${phase === 'new' ? 'nothing' : history.slice(0, -1).join(', ')}`);
      // Keep checking this task's later events from where this one would have led.
      phases.set(event.taskId, event.kind === 'settle' ? 'settled' : phase);
    } else {
      phases.set(event.taskId, after);
    }
    const before = lastTime.get(event.taskId);
    if (before?.thread === event.thread && event.time < before.time) {
      problems.push(`task ${event.taskId}: ${label(event)} is stamped earlier than the event before it on the same thread`);
    }
    lastTime.set(event.taskId, { time: event.time, thread: event.thread });
  }
  for (const [taskId, phase] of phases) {
    if (phase !== 'settled') problems.push(`task ${taskId}: never settled (events: ${(histories.get(taskId) ?? []).join(', ')})`);
  }
  return problems;
}
