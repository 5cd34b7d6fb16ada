import type { TaskReference } from '@spindle/core';
import { PoolExecutor } from '@spindle/pool';
import { describe, expect, it } from 'vitest';
import { Metrics, Recorder, toChromeTrace } from '../src/index.js';
import { validateTrace } from './trace-validator.js';

describe('a pool run', () => {
  it('exports a valid trace with a row per worker thread and flows across threads', async () => {
    const { fibRef } = (await import(new URL('./fixtures/pool-tasks.mjs', import.meta.url).href)) as {
      fibRef: TaskReference<[n: number], number>;
    };
    const recorder = new Recorder().start();
    const metrics = new Metrics().start();
    const pool = new PoolExecutor({ threads: 2, label: 'pool' });
    expect(await pool.spawn(fibRef, [20])).toBe(6765);
    await pool.close();
    recorder.stop();
    metrics.stop();
    const recording = recorder.recording();
    const trace = toChromeTrace(recording);
    expect(validateTrace(trace)).toEqual([]);
    const threadRows = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name);
    expect(threadRows.filter((name) => typeof name === 'string' && name.startsWith('worker thread')).length).toBeGreaterThanOrEqual(1);
    const steps = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'step');
    const spawns = recording.events.filter((e) => e.kind === 'spawn').length;
    expect(spawns).toBeGreaterThan(10);
    expect(new Set(steps.map((s) => s.args?.taskId)).size).toBe(spawns);
    const pm = metrics.snapshot().executors.find((e) => e.executor === 'pool');
    expect(pm).toMatchObject({ spawned: spawns, settled: spawns, live: 0 });
    expect(pm?.threads.some((t) => t !== 0)).toBe(true);
  });
});
