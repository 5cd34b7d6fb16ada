import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '@spindle/core';
import { roundRobinProblems, startOrderProblems, stepCountProblems } from '../src/step-log.js';
import { taskEventProblems } from '../src/task-event-order.js';

// The checks the suite's verdicts rest on, tested on hand-made logs.

describe('step log checks', () => {
  it('accept a perfect round-robin interleaving, and shrinking rounds as tasks finish', () => {
    expect(roundRobinProblems([0, 1, 2, 0, 1, 2, 0, 2, 0, 0], 3)).toEqual([]);
    expect(startOrderProblems([0, 1, 2, 0, 1, 2])).toEqual([]);
    expect(stepCountProblems([0, 1, 0, 1, 0], [3, 2])).toEqual([]);
  });

  it('report a task that waited longer than K-1 steps of others', () => {
    expect(roundRobinProblems([0, 1, 2, 0, 0, 1, 2], 3)).toEqual([
      'task 1 waited 3 steps of others before its step at log position 5 (at most 2 with 3 tasks)',
      'task 2 waited 3 steps of others before its step at log position 6 (at most 2 with 3 tasks)',
    ]);
  });

  it('report tasks that started out of spawn order, and wrong step counts', () => {
    expect(startOrderProblems([1, 0, 2])).toEqual(['task 1 started 1st, but it was spawned 2nd', 'task 0 started 2nd, but it was spawned 1st']);
    expect(stepCountProblems([0, 0, 3], [2, 1])).toEqual(['the log names task 3, which was not spawned', 'task 1 took 0 steps, expected 1']);
  });
});

function events(taskId: number, kinds: readonly string[]): TaskEvent[] {
  return kinds.map((kind, i) => {
    const base = { taskId, executor: 'x', thread: 0, time: i };
    if (kind === 'yield' || kind === 'wait') return { ...base, kind: 'suspend', reason: kind };
    if (kind === 'spawn') return { ...base, kind, name: undefined, parentId: undefined, body: 'generator t' };
    if (kind === 'settle') return { ...base, kind, state: 'fulfilled', error: undefined };
    if (kind === 'steal') return { ...base, kind, from: 1, to: 2 };
    return { ...base, kind } as TaskEvent;
  });
}

describe('task event order check', () => {
  it('accepts the lifecycle grammar in its forms', () => {
    const valid = [
      ['spawn', 'start', 'settle'],
      ['spawn', 'settle'],
      ['spawn', 'steal', 'start', 'yield', 'steal', 'resume', 'wait', 'wake', 'resume', 'settle'],
      ['spawn', 'start', 'wait', 'resume', 'settle'],
      ['spawn', 'start', 'wait', 'settle'],
      ['spawn', 'start', 'yield', 'settle'],
    ];
    valid.forEach((kinds, i) => {
      expect(taskEventProblems(events(i, kinds)), kinds.join(' ')).toEqual([]);
    });
  });

  it('reports events out of order, events after settle, and tasks that never settle', () => {
    expect(taskEventProblems(events(1, ['start', 'settle']))).toEqual([
      'task 1: start cannot follow nothing',
      'task 1: settle(fulfilled) cannot follow nothing',
    ]);
    expect(taskEventProblems(events(2, ['spawn', 'start', 'yield', 'wake', 'resume', 'settle']))).toEqual([
      'task 2: wake cannot follow spawn, start, suspend(yield)',
    ]);
    expect(taskEventProblems(events(3, ['spawn', 'start', 'resume', 'settle']))).toEqual(['task 3: resume cannot follow spawn, start']);
    expect(taskEventProblems(events(4, ['spawn', 'start', 'settle', 'settle']))).toEqual([
      'task 4: settle(fulfilled) cannot follow spawn, start, settle(fulfilled)',
    ]);
    expect(taskEventProblems(events(5, ['spawn', 'start', 'wait']))).toEqual(['task 5: never settled (events: spawn, start, suspend(wait))']);
    expect(taskEventProblems(events(6, ['spawn', 'start', 'start', 'settle']))).toEqual(['task 6: start cannot follow spawn, start']);
  });

  it('reports time running backwards on one thread', () => {
    const list = events(7, ['spawn', 'start', 'settle']).map((event, i) => ({ ...event, time: 10 - i }));
    expect(taskEventProblems(list)).toEqual([
      'task 7: start is stamped earlier than the event before it on the same thread',
      'task 7: settle(fulfilled) is stamped earlier than the event before it on the same thread',
    ]);
  });
});
