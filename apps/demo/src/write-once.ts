// Write a task once, run it anywhere: one fork–join body by reference on round-robin and
// the trampoline (the README's pool example shows the same on the pool), run and tested. `pnpm --filter @spindle/demo write-once` prints the results
// (through write-once-main.ts: a module must not await, at its top level, a task that
// references the module itself — the reference's import() would wait for that very
// module to finish evaluating).
import type { Executor, TaskContext } from '@spindle/core';
import { taskRef } from '@spindle/core';
import { RoundRobinExecutor } from '@spindle/round-robin';
import { TrampolineExecutor } from '@spindle/trampoline';

// A generator body: `yield` a task handle (or any promise) to join it.
export function* fib(ctx: TaskContext, n: number): Generator<unknown, number, number> {
  if (n < 2) return n;
  const a = ctx.spawn(fibTask, [n - 1]);
  const b = ctx.spawn(fibTask, [n - 2]);
  return (yield a) + (yield b);
}
// A task reference names the body by module URL + export, so a worker thread can load it.
export const fibTask = taskRef<typeof fib>(import.meta.url, 'fib');

/** Runs the same task on each executor and closes it. */
export async function runEverywhere(n: number): Promise<Record<string, number>> {
  const executors: Executor[] = [new RoundRobinExecutor(), new TrampolineExecutor()];
  const results: Record<string, number> = {};
  for (const executor of executors) {
    results[executor.capabilities.name] = await executor.spawn(fibTask, [n]);
    await executor.close();
  }
  return results;
}
