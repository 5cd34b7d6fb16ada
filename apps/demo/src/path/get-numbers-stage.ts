import type { Executor, TaskHandle } from '@spindle/core';
import type { DemoEnv } from '../demo-env.js';
import { createSlowSource } from '../slow-source.js';
import { BodyNotes } from './body-notes.js';
import { fetchDelays, fetchValues } from './stage.js';
import type { StageOutcome, StageSizes } from './stage.js';

/**
 * Runs get_numbers one way on a fresh executor (stages 3–6 differ only in how the body is
 * written and which executor steps it), then drains the executor so nothing is left behind.
 */
export async function runGetNumbers(
  executor: Executor,
  sizes: StageSizes,
  spawn: (executor: Executor, env: DemoEnv) => TaskHandle<number[]>,
): Promise<StageOutcome> {
  const notes = new BodyNotes();
  const delays = fetchDelays(sizes.delayMs);
  try {
    const numbers = await spawn(executor, { source: createSlowSource({ values: fetchValues, delaysMs: delays }), notes });
    await executor.close();
    const serial = delays.reduce((sum, delay) => sum + delay, 0);
    return {
      result: numbers,
      notes: [...notes.lines, `fetches of ${delays.join(', ')} ms overlap: expect about ${String(Math.max(...delays))} ms, not ${String(serial)}`],
    };
  } finally {
    await executor.close({ mode: 'cancel' });
  }
}
