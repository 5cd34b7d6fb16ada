// @spindle/trampoline's side of the `trampoline` suite's workloads (the other contenders'
// are in coroutines.ts), written against a module rather than an import: the idle-cost
// cases run them on copies of the trampoline's build loaded against builds of core with
// and without event code, whose operations only their own executor knows.
import type { TaskHandle } from '@spindle/core';
import type * as Trampoline from '@spindle/trampoline';
import type { Instruction, Operation, TrampolineExecutor } from '@spindle/trampoline';

/** What the workloads take from `@spindle/trampoline`: the package, or a copy of its build. */
export type TrampolineModule = Pick<typeof Trampoline, 'all' | 'join' | 'operation' | 'spawn' | 'until'>;

/** The six workloads, each returning the checksum the suite expects. */
export interface TrampolineWorkloads {
  /** `n` waits on the already-resolved `resolved` in one task. Checksum: n. */
  readonly awaits: (ex: TrampolineExecutor, n: number) => TaskHandle<number>;
  /** `n` waits in one task, each on a fresh resolved promise. Checksum: n. */
  readonly freshAwaits: (ex: TrampolineExecutor, n: number) => TaskHandle<number>;
  /** `n` calls of an operation that returns 1 at once. Checksum: n. */
  readonly syncValues: (ex: TrampolineExecutor, n: number) => TaskHandle<number>;
  /** A chain of `yield*` calls `depth` deep whose leaf waits `leafSteps` times on `resolved`. Checksum: depth + leafSteps. */
  readonly recursion: (ex: TrampolineExecutor, depth: number, leafSteps: number) => TaskHandle<number>;
  /** `tasks` concurrent chains of `links` waits on fresh resolved promises. Checksum: tasks × links. */
  readonly concurrent: (ex: TrampolineExecutor, tasks: number, links: number) => Promise<number>;
  /** One task spawns `children` children that return 1 at once and joins them all. Checksum: children. */
  readonly spawnJoin: (ex: TrampolineExecutor, children: number) => TaskHandle<number>;
}

/** The workloads on `t`'s operations; `resolved` is the already-resolved promise every "resolved" wait uses. */
export function trampolineWorkloads(t: TrampolineModule, resolved: Promise<number>): TrampolineWorkloads {
  // eslint-disable-next-line require-yield -- an operation that answers at once is the point
  const valueOf = t.operation(function* valueOf(value: number): Generator<Instruction, number, unknown> {
    return value;
  });
  // Not `node` itself: inside the generator that name is the bare generator function.
  const level = t.operation(function* node(d: number, leafSteps: number): Generator<Instruction, number, unknown> {
    if (d === 0) {
      let sum = 0;
      for (let i = 0; i < leafSteps; i++) sum += yield* t.until(resolved);
      return sum;
    }
    return 1 + (yield* level(d - 1, leafSteps));
  });
  const chain = t.operation(function* chain(links: number): Generator<Instruction, number, unknown> {
    let sum = 0;
    for (let k = 0; k < links; k++) sum += yield* t.until(Promise.resolve(1));
    return sum;
  });
  // eslint-disable-next-line require-yield -- a child that finishes at once is the point
  const child = t.operation(function* child(): Generator<Instruction, number, unknown> {
    return 1;
  });
  return {
    awaits: (ex, n) =>
      ex.spawn(function* () {
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const value: number = yield resolved;
          sum += value;
        }
        return sum;
      }),
    freshAwaits: (ex, n) =>
      ex.spawn(function* () {
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const value: number = yield Promise.resolve(1);
          sum += value;
        }
        return sum;
      }),
    syncValues: (ex, n) =>
      ex.spawn(function* () {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += yield* valueOf(1);
        return sum;
      }),
    recursion: (ex, depth, leafSteps) => ex.run(level(depth, leafSteps)),
    concurrent: async (ex, tasks, links) => {
      const ops = new Array<Operation<number>>(tasks);
      for (let i = 0; i < tasks; i++) ops[i] = chain(links);
      return total(await ex.run(t.all(ops)));
    },
    spawnJoin: (ex, children) =>
      ex.spawn(function* () {
        const handles = new Array<TaskHandle<number>>(children);
        for (let i = 0; i < children; i++) handles[i] = yield* t.spawn(child());
        let sum = 0;
        for (const handle of handles) sum += yield* t.join(handle);
        return sum;
      }),
  };
}

/** The sum of `values`. */
export function total(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}
