import PQueue from 'p-queue';
import type { TaskContext } from '@spindle/core';
import { RoundRobinExecutor } from '@spindle/round-robin';
import { TrampolineExecutor } from '@spindle/trampoline';
import type { Measurement } from '../results.js';
import type { BenchCase, Figure, Subject, Suite } from '../suite.js';
import { spindleSubject } from '../suite.js';

/** Tasks queued before the urgent one. */
const BACKLOG = 10_000;

interface Queue {
  /** Queues a task that returns 1; `urgent` marks the one that should start first. */
  add(urgent: boolean, onStart: () => void): PromiseLike<number>;
  close(): Promise<void>;
}

/** Per subject, per run: microseconds from queueing the urgent task to its start. */
const starts = new Map<string, number[]>();

/**
 * A subject: a backlog of `BACKLOG` one-step tasks, then one urgent task, all queued before
 * any runs; the run ends when all have settled, and records when the urgent one started.
 */
function subject(name: string, runs: string, make: () => Queue): Subject {
  let queue: Queue | undefined;
  return {
    subject: name,
    runs,
    run: async () => {
      const q = (queue ??= make());
      const all: PromiseLike<number>[] = new Array<PromiseLike<number>>(BACKLOG + 1);
      for (let i = 0; i < BACKLOG; i++) all[i] = q.add(false, noop);
      let startedAt = Number.NaN;
      const queuedAt = performance.now();
      all[BACKLOG] = q.add(true, () => {
        startedAt = performance.now();
      });
      const values = await Promise.all(all);
      const list = starts.get(name) ?? [];
      list.push((startedAt - queuedAt) * 1000);
      starts.set(name, list);
      let sum = 0;
      for (const value of values) sum += value;
      return sum;
    },
    dispose: () => queue?.close(),
  };
}

const noop = (): void => undefined;
const one = (ctx: TaskContext, onStart: () => void): number => {
  onStart();
  return 1;
};

/** A Spindle executor as a {@link Queue}: the urgent task gets priority 1 unless `fifo`. */
function spindleQueue(executor: RoundRobinExecutor | TrampolineExecutor, fifo: boolean): Queue {
  return {
    add: (urgent, onStart) => executor.spawn(one, [onStart], urgent && !fifo ? { priority: 1 } : undefined),
    close: () => executor.close(),
  };
}

function pQueue(): Queue {
  // One task at a time, as one thread runs them: priorities order what has not started.
  const queue = new PQueue({ concurrency: 1 });
  return {
    add: (urgent, onStart) =>
      queue.add(
        () => {
          onStart();
          return 1;
        },
        { priority: urgent ? 1 : 0 },
      ),
    close: async () => {
      await queue.onIdle();
    },
  };
}

function middle(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const roundRobin = spindleSubject('@spindle/round-robin');
const trampoline = spindleSubject('@spindle/trampoline');
const fifo = `${roundRobin}-fifo`;

function startCase(): BenchCase {
  return {
    name: 'priority/start-under-10k-backlog',
    description: `${BACKLOG.toLocaleString('en-US')} tasks queued, then one urgent task: how soon the urgent one starts (figure), and the whole backlog's time per task`,
    opsPerRun: BACKLOG + 1,
    op: 'task',
    expected: BACKLOG + 1,
    baseline: fifo,
    focus: roundRobin,
    subjects: [
      subject(fifo, 'the urgent task spawned last with the default priority: it waits for the backlog', () => spindleQueue(new RoundRobinExecutor({ label: 'bench:priority-fifo' }), true)),
      subject(roundRobin, 'spawn(urgent, [], { priority: 1 })', () => spindleQueue(new RoundRobinExecutor({ label: 'bench:priority' }), false)),
      subject(trampoline, 'spawn(urgent, [], { priority: 1 })', () => spindleQueue(new TrampolineExecutor({ label: 'bench:priority' }), false)),
      subject('p-queue', 'concurrency 1, add(urgent, { priority: 1 })', pQueue),
    ],
    figures: (rows: readonly Measurement[]): readonly Figure[] =>
      rows.flatMap((row) => {
        const list = starts.get(row.subject) ?? [];
        if (row.failed !== undefined || list.length === 0) return [];
        return [{ subject: row.subject, metric: 'urgent task start', median: middle(list), unit: 'µs', samples: list.length }];
      }),
  };
}

/** How soon a high-priority task starts behind a backlog of low-priority ones. */
export const prioritiesSuite: Suite = {
  name: 'priorities',
  description: 'Priorities: a high-priority task queued behind a backlog of 10,000 low-priority ones, against p-queue',
  packages: ['@spindle/round-robin', '@spindle/trampoline', 'p-queue'],
  cases: () => [startCase()],
};
