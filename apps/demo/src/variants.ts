import type { TaskHandle } from '@spindle/core';
import type { RoundRobinExecutor } from '@spindle/round-robin';
import * as asyncFunctions from './async-functions.js';
import type { DemoEnv } from './demo-env.js';
import * as generators from './generators.js';
import { stateMachineGetNumbers } from './state-machines.js';

/** One way of writing get_numbers. */
export interface Variant {
  /** Short id, used in executor labels. */
  readonly id: 'state-machines' | 'generators' | 'async-functions';
  /** Heading for the printed log. */
  readonly title: string;
  /** Spawns get_numbers on the executor. */
  spawn(executor: RoundRobinExecutor, env: DemoEnv): TaskHandle<number[]>;
}

const name = { name: 'get_numbers' } as const;

/** The three versions, from most hand-written to least. */
export const variants: readonly Variant[] = [
  {
    id: 'state-machines',
    title: 'hand-written state machines',
    spawn: (executor, env) => executor.spawn(stateMachineGetNumbers(env), [], name),
  },
  {
    id: 'generators',
    title: 'generators',
    spawn: (executor, env) => executor.spawn(generators.getNumbers, [env], name),
  },
  {
    id: 'async-functions',
    title: 'async functions',
    spawn: (executor, env) => executor.spawn(asyncFunctions.getNumbers, [env], name),
  },
];
