import type { TaskContext } from '@spindle/core';
import type { RoundRobinExecutor } from '@spindle/round-robin';

/** A fork–join program: a parent spawns `children` generators of `steps` yields each and joins them. */
export async function forkJoin(executor: RoundRobinExecutor, children = 3, steps = 4): Promise<number> {
  function* child(_ctx: TaskContext, n: number): Generator<undefined, number> {
    for (let i = 0; i < steps; i++) yield;
    return n;
  }
  function* parent(ctx: TaskContext): Generator<unknown, number> {
    const handles = [];
    for (let i = 0; i < children; i++) handles.push(ctx.spawn(child, [i], { name: `child-${i}` }));
    let sum = 0;
    for (const handle of handles) sum += (yield ctx.join(handle)) as number;
    return sum;
  }
  return executor.spawn(parent, [], { name: 'parent' });
}
