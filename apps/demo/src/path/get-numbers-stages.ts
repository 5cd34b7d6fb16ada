import { RoundRobinExecutor } from '@spindle/round-robin';
import { TrampolineExecutor } from '@spindle/trampoline';
import * as asyncFunctions from '../async-functions.js';
import { getNumbersClosure } from '../closures.js';
import * as generators from '../generators.js';
import { stateMachineGetNumbers } from '../state-machines.js';
import { runGetNumbers } from './get-numbers-stage.js';
import type { Stage } from './stage.js';

const name = { name: 'get_numbers' } as const;

/** Stage 3: every yield point a state, every live variable a field, on round-robin. */
export const stateMachinesStage: Stage = {
  index: 3,
  name: 'state-machines',
  title: 'State machines on round-robin',
  summary: 'Hand-written state machines: one thread, the three fetches overlap because each machine returns at its yield point.',
  run: (sizes) =>
    runGetNumbers(new RoundRobinExecutor({ label: 'round-robin (state machines)' }), sizes, (executor, env) =>
      executor.spawn(stateMachineGetNumbers(env), [], name),
    ),
};

/** Stage 4: the same steps, with state in captured variables. */
export const closuresStage: Stage = {
  index: 4,
  name: 'closures',
  title: 'Re-entrant closures on round-robin',
  summary: 'The same steps as callbacks: the executor re-enters one closure per task, state lives in captured variables.',
  run: (sizes) =>
    runGetNumbers(new RoundRobinExecutor({ label: 'round-robin (closures)' }), sizes, (executor, env) =>
      executor.spawn(getNumbersClosure(env), [], name),
    ),
};

/** Stage 5: the compiler writes the state machine; the trampoline drives it. */
export const generatorsStage: Stage = {
  index: 5,
  name: 'generators',
  title: 'Generators on the trampoline',
  summary: 'Generator functions: `yield promise` parks the task, `yield ctx.join(child)` joins; the trampoline steps them in constant stack depth.',
  run: (sizes) =>
    runGetNumbers(new TrampolineExecutor({ label: 'trampoline (generators)' }), sizes, (executor, env) =>
      executor.spawn(generators.getNumbers, [env], name),
    ),
};

/** Stage 6: async/await, where the runtime owns the steps after the first await. */
export const asyncStage: Stage = {
  index: 6,
  name: 'async',
  title: 'async/await on round-robin',
  summary: 'Async functions: the executor runs the first step, then what follows an `await` runs on the microtask queue.',
  run: (sizes) =>
    runGetNumbers(new RoundRobinExecutor({ label: 'round-robin (async)' }), sizes, (executor, env) =>
      executor.spawn(asyncFunctions.getNumbers, [env], name),
    ),
};
