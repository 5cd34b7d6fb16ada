// Soak through Redis, short (the long one, 1,000,000 tasks, is `pnpm soak` at the root): small
// tasks on two worker processes of the built package, in a fresh node process (soak-child.mjs)
// on the Redis the test setup started. Every task settles exactly once, counted per task by its
// handle and by its settle event, with its own value; memory levels off.
import { expect, inject, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { runNodeChild, summaryOf } from '@spindle/executor-tests/run-node-child';

const tasks = 20_000;
const childTimeoutMs = 240_000;

interface SoakFigures {
  readonly settled: number;
  readonly handlesOnce: number;
  readonly eventsOnce: number;
  readonly strayEvents: number;
  readonly wrong: number;
  readonly rejected: number;
  readonly gc: boolean;
  readonly heapEarlyMB: number;
  readonly heapLateMB: number;
  readonly samples: number;
}

it(`${tasks.toLocaleString('en')} tasks through Redis on two worker processes: each settles exactly once with its value`, { timeout: childTimeoutMs + 10_000 }, async () => {
  // The child inherits it: it uses this Redis rather than starting its own.
  process.env.SPINDLE_REDIS_URL = inject('redisUrl');
  const script = fileURLToPath(new URL('./soak-child.mjs', import.meta.url));
  const run = await runNodeChild(['--expose-gc'], script, [String(tasks)], childTimeoutMs);
  const figures = summaryOf(run) as SoakFigures;
  expect(figures.settled).toBe(tasks);
  expect(figures.handlesOnce, 'tasks whose handle settled exactly once').toBe(tasks);
  expect(figures.eventsOnce, 'tasks with exactly one settle event').toBe(tasks);
  expect(figures.strayEvents, 'settle events for no task of the run, or a second one').toBe(0);
  expect(figures.wrong, 'values that were not the task’s own').toBe(0);
  expect(figures.rejected).toBe(0);
  expect(figures.gc).toBe(true);
  expect(figures.samples).toBeGreaterThanOrEqual(8);
  // Generous: catches what grows with the count (the executor's tables of tasks and jobs).
  expect(figures.heapLateMB).toBeLessThan(figures.heapEarlyMB * 2 + 16);
});
