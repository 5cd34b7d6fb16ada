// Issue #21 item 4: TypeScript task modules on the pool, on Node 20, the way the README
// documents it: each worker registers tsx through a preload given in `execArgv`.
import { describe, expect, it } from 'vitest';
import { PoolExecutor } from '../dist/index.js';
import { lengthRef, lengthsRef } from './typescript/tasks.js';

const preload = new URL('./typescript/tsx-workers.mjs', import.meta.url).href;

describe('TypeScript task modules', () => {
  it('load in workers started with the documented preload, children and imported .ts modules included', async () => {
    const pool = new PoolExecutor({ threads: 2, execArgv: ['--import', preload] });
    try {
      expect(await pool.spawn(lengthRef, [[{ x: 0, y: 0 }, { x: 3, y: 4 }, { x: 3, y: 10 }]])).toBe(11);
      expect(await pool.spawn(lengthsRef, [[[{ x: 0, y: 0 }, { x: 0, y: 2 }], [{ x: 1, y: 1 }, { x: 4, y: 5 }]]])).toEqual([2, 5]);
    } finally {
      await pool.close();
    }
  });
});
