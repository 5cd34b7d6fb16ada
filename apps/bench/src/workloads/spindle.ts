import type { TaskHandle } from '@spindle/core';

/** Spawns `count` tasks with `spawnOne`, waits for all and sums their results. */
export async function spindleAll(count: number, spawnOne: () => TaskHandle<number>): Promise<number> {
  const handles = new Array<TaskHandle<number>>(count);
  for (let i = 0; i < count; i++) handles[i] = spawnOne();
  let total = 0;
  for (const value of await Promise.all(handles)) total += value;
  return total;
}
