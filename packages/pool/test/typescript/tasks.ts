// A task module written in TypeScript, loaded by the pool's workers through the preload in
// tsx-workers.mjs.
import { taskRef } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { distance } from './geometry.js';
import type { Point } from './geometry.js';

export function length(_ctx: TaskContext, points: readonly Point[]): number {
  let total = 0;
  let previous: Point | undefined;
  for (const point of points) {
    if (previous !== undefined) total += distance(previous, point);
    previous = point;
  }
  return total;
}

export function* lengths(ctx: TaskContext, paths: readonly (readonly Point[])[]): Generator<unknown, number[], number> {
  const handles = paths.map((path) => ctx.spawn(lengthRef, [path]));
  const results: number[] = [];
  for (const handle of handles) results.push(yield ctx.join(handle));
  return results;
}

export const lengthRef = taskRef<typeof length>(import.meta.url, 'length');
export const lengthsRef = taskRef<typeof lengths>(import.meta.url, 'lengths');
