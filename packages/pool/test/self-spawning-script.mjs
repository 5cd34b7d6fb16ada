// Run as a script by self-spawn.test.ts, in a fresh process: the mistake of spawning, at
// the top level of a module, a task of that same module. A pool worker imports the module
// to run the task, which runs the top level again, in the worker.
import { taskRef } from '@spindle/core';
import { PoolExecutor } from '@spindle/pool';

export function double(_ctx, n) {
  return n * 2;
}

const pool = new PoolExecutor({ threads: 1 });
console.log(await pool.spawn(taskRef(import.meta.url, 'double'), [21]));
await pool.close();
