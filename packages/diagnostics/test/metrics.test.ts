import { RoundRobinExecutor } from '@spindle/round-robin';
import { describe, expect, it } from 'vitest';
import { Metrics, Recorder } from '../src/index.js';
import type { MetricsSnapshot } from '../src/index.js';
import { forkJoin } from './programs.js';

describe('Metrics', () => {
  it('counts tasks, steps, yields, parks, wakes and ready depth per executor, thread and task', async () => {
    const metrics = new Metrics().start();
    const recorder = new Recorder().start();
    const executor = new RoundRobinExecutor({ label: 'm' });
    await forkJoin(executor, 3, 4);
    await executor.close();
    metrics.stop();
    recorder.stop();
    const events = recorder.recording().events;
    const count = (kind: string): number => events.filter((e) => e.kind === kind).length;
    const snapshot = metrics.snapshot();
    const m = snapshot.executors.find((e) => e.executor === 'm');
    expect(m).toBeDefined();
    if (m === undefined) return;
    expect(m).toMatchObject({ spawned: 4, settled: 4, fulfilled: 4, rejected: 0, cancelled: 0, live: 0, steals: 0 });
    expect(m.steps).toBe(count('start') + count('resume'));
    expect(m.yields).toBe(12);
    expect(m.parks).toBe(events.filter((e) => e.kind === 'suspend' && e.reason === 'wait').length);
    expect(m.wakes).toBe(count('wake'));
    expect(m.ready.max).toBeGreaterThanOrEqual(3);
    expect(m.ready.current).toBe(0);
    expect(m.stepTime.count).toBe(m.steps);
    expect(m.schedulingDelay.count).toBe(m.steps);
    expect(m.threads).toEqual([0]);
    expect(m.busyMs).toBeGreaterThan(0);
    expect(m.utilisation).toBeGreaterThan(0);
    expect(m.utilisation).toBeLessThanOrEqual(1);
    expect(m.busyMs + m.idleMs).toBeCloseTo(snapshot.windowMs, 3);
    const main = snapshot.threads.find((t) => t.thread === 0);
    expect(main?.executors).toContainEqual(expect.objectContaining({ executor: 'm', steps: m.steps }));
    const tasks = snapshot.tasks.filter((t) => t.executor === 'm');
    expect(tasks.map((t) => t.name).sort()).toEqual(['child-0', 'child-1', 'child-2', 'parent']);
    for (const task of tasks) {
      expect(task.state).toBe('settled');
      expect(task.busyMs).toBeGreaterThan(0);
      expect(task.scheduledMs).toBeGreaterThanOrEqual(0);
    }
    // The parent waited for its children: it was parked for some time.
    expect(tasks.find((t) => t.name === 'parent')?.idleMs).toBeGreaterThan(0);
  });

  it('reports periodically until stopped, and reset() starts a new window', async () => {
    const metrics = new Metrics().start();
    const executor = new RoundRobinExecutor({ label: 'periodic' });
    await forkJoin(executor, 1, 1);
    const first = await new Promise<MetricsSnapshot>((resolve) => {
      const stop = metrics.report(1, (snapshot) => {
        stop();
        resolve(snapshot);
      });
    });
    expect(first.executors.find((e) => e.executor === 'periodic')?.settled).toBe(2);
    metrics.reset();
    expect(metrics.snapshot().executors).toEqual([]);
    await executor.close();
    metrics.stop();
  });

  it('refuses bad options', () => {
    expect(() => new Metrics({ keepSettledTasks: -1 })).toThrow(/keepSettledTasks/);
    expect(() => new Metrics().report(0, () => undefined)).toThrow(/intervalMs/);
  });
});
