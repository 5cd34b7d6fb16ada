import { channels, currentThread, eventTime } from '@spindle/core/events';
import type { TaskContext, TaskHandle } from '@spindle/core';
import { RoundRobinExecutor } from '@spindle/round-robin';
import { describe, expect, it, vi } from 'vitest';
import { BlockedLoopDetector, LongStepDetector, LostWakeupDetector, StarvationDetector, WaitCycleDetector, watch } from '../src/index.js';
import type { Finding, StarvationFinding } from '../src/index.js';
import { forkJoin } from './programs.js';

/** Really holds the thread: the fault under test. */
function blockingSpin(ms: number): number {
  const end = performance.now() + ms;
  let spins = 0;
  while (performance.now() < end) spins++;
  return spins;
}

/** A well-behaved program: many short steps, timers and I/O never starved. */
async function wellBehaved(label: string): Promise<void> {
  const executor = new RoundRobinExecutor({ label });
  await forkJoin(executor, 8, 50);
  await executor.close();
}

function collect(): { findings: Finding[]; onFinding: (finding: Finding) => void; next: Promise<Finding> } {
  const findings: Finding[] = [];
  let resolve: (finding: Finding) => void = () => undefined;
  const next = new Promise<Finding>((r) => {
    resolve = r;
  });
  return {
    findings,
    next,
    onFinding: (finding) => {
      findings.push(finding);
      resolve(finding);
    },
  };
}

describe('LongStepDetector', () => {
  it('names the task and body of a step that held the thread too long', async () => {
    const { findings, onFinding } = collect();
    const detector = new LongStepDetector({ thresholdMs: 50, onFinding }).start();
    const executor = new RoundRobinExecutor({ label: 'slow' });
    function* crunch(): Generator<undefined, number> {
      yield;
      return blockingSpin(120);
    }
    await executor.spawn(crunch, [], { name: 'cruncher' });
    await executor.close();
    detector.stop();
    expect(findings).toHaveLength(1);
    const finding = findings[0];
    expect(finding).toMatchObject({ kind: 'long-step', name: 'cruncher', body: 'generator crunch', executor: 'slow', thread: 0 });
    expect(finding?.message).toMatch(/long step: task #\d+ "cruncher" \(generator crunch\) on slow ran one step for/);
  });

  it('stays silent on a well-behaved program', async () => {
    const { findings, onFinding } = collect();
    const detector = new LongStepDetector({ thresholdMs: 100, onFinding }).start();
    await wellBehaved('good-steps');
    detector.stop();
    expect(findings).toEqual([]);
  });
});

describe('StarvationDetector', () => {
  it('reports a ready task that waited behind a hogging step', async () => {
    const { findings, onFinding } = collect();
    const detector = new StarvationDetector({ thresholdMs: 50, onFinding }).start();
    const executor = new RoundRobinExecutor({ label: 'hogged' });
    function hog(): number {
      return blockingSpin(150);
    }
    function* patient(): Generator<undefined, number> {
      yield;
      return 1;
    }
    await Promise.all([executor.spawn(hog, [], { name: 'hog' }), executor.spawn(patient, [], { name: 'patient' })]);
    await executor.close();
    detector.stop();
    const starved = findings.filter((f): f is StarvationFinding => f.kind === 'starvation');
    expect(starved.map((f) => f.name)).toContain('patient');
    expect(starved[0]?.message).toMatch(/starvation: task #\d+ "patient" .* was ready but waited/);
  });

  it('stays silent on a well-behaved program', async () => {
    const { findings, onFinding } = collect();
    const detector = new StarvationDetector({ thresholdMs: 250, onFinding }).start();
    await wellBehaved('good-sched');
    detector.stop();
    expect(findings).toEqual([]);
  });
});

describe('WaitCycleDetector', () => {
  it('reports tasks joining each other in a cycle, with its members', async () => {
    const { onFinding, next } = collect();
    const detector = new WaitCycleDetector({ onFinding }).start();
    const executor = new RoundRobinExecutor({ label: 'deadlock' });
    const handles: { a?: TaskHandle<unknown> } = {};
    function* second(): Generator<unknown, unknown> {
      const value: unknown = yield handles.a;
      return value;
    }
    function* first(_ctx: TaskContext, other: TaskHandle<unknown>): Generator<unknown, unknown> {
      const value: unknown = yield other;
      return value;
    }
    const b = executor.spawn(second, [], { name: 'b' });
    const a = executor.spawn(first, [b], { name: 'a' });
    handles.a = a;
    const finding = await next;
    detector.stop();
    expect(finding.kind).toBe('wait-cycle');
    if (finding.kind !== 'wait-cycle') return;
    expect(finding.cycle.map((t) => t.name).sort()).toEqual(['a', 'b']);
    expect(finding.message).toMatch(/wait cycle \(deadlock\): 2 task\(s\) wait on each other/);
    a.cancel('test over');
    b.cancel('test over');
    await executor.close({ mode: 'cancel' });
  });

  it('stays silent on fork-join, where parents wait on children', async () => {
    const { findings, onFinding } = collect();
    const detector = new WaitCycleDetector({ onFinding }).start();
    await wellBehaved('good-joins');
    detector.stop();
    expect(findings).toEqual([]);
  });
});

describe('LostWakeupDetector (what it waited on settled)', () => {
  // An executor bug cannot be made with a correct executor: publish its events by hand.
  function publishPark(executor: string, wake: boolean): void {
    const base = { executor, thread: currentThread };
    channels.spawn.publish({ ...base, kind: 'spawn', taskId: 1, time: eventTime(), name: 'waiter', parentId: undefined, body: 'generator waiter' });
    channels.spawn.publish({ ...base, kind: 'spawn', taskId: 2, time: eventTime(), name: 'target', parentId: undefined, body: 'generator target' });
    channels.start.publish({ ...base, kind: 'start', taskId: 1, time: eventTime() });
    channels.suspend.publish({ ...base, kind: 'suspend', taskId: 1, time: eventTime(), reason: 'wait', waitingOn: 2 });
    channels.start.publish({ ...base, kind: 'start', taskId: 2, time: eventTime() });
    channels.settle.publish({ ...base, kind: 'settle', taskId: 2, time: eventTime(), state: 'fulfilled', error: undefined });
    if (wake) channels.wake.publish({ ...base, kind: 'wake', taskId: 1, time: eventTime() });
  }

  it('reports a task whose target settled but which was never woken', async () => {
    const { onFinding, next } = collect();
    const detector = new LostWakeupDetector({ thresholdMs: 20, onFinding }).start();
    publishPark('buggy', false);
    const finding = await next;
    detector.stop();
    expect(finding).toMatchObject({ kind: 'lost-wake-up', reason: 'settled-without-wake', name: 'waiter', waitingOn: 2 });
    expect(finding.message).toMatch(/task #2, which it waits on, settled but it was not woken/);
  });

  it('stays silent when the wake comes, and on a well-behaved program', async () => {
    const { findings, onFinding } = collect();
    const detector = new LostWakeupDetector({ thresholdMs: 20, onFinding }).start();
    publishPark('correct', true);
    await wellBehaved('good-wakes');
    // Longer than the threshold, so that a missing wake would have been reported by now.
    await new Promise((resolve) => setTimeout(resolve, 60));
    detector.stop();
    expect(findings).toEqual([]);
  });
});

describe('BlockedLoopDetector', () => {
  it('catches a main thread blocked in a synchronous loop, with the blocking function in the stack', async () => {
    const { onFinding, next } = collect();
    const before = eventTime();
    const detector = new BlockedLoopDetector({ thresholdMs: 100, onFinding }).start();
    await detector.watching();
    // Long enough for the watchdog to notice and for the inspector to pause inside it.
    blockingSpin(1500);
    const spun = eventTime();
    const finding = await next;
    detector.stop();
    expect(finding.kind).toBe('blocked-event-loop');
    if (finding.kind !== 'blocked-event-loop') return;
    expect(finding.stack.map((f) => f.functionName)).toContain('blockingSpin');
    expect(finding.stack.find((f) => f.functionName === 'blockingSpin')?.url).toMatch(/detectors\.test\.ts$/);
    expect(finding.blockedMs).toBeGreaterThan(100);
    // The blockage as a span: from when the loop last turned (before the spin ended) to
    // when the finding arrived (after it ended), so a timeline can draw it.
    expect(finding.since).toBeGreaterThanOrEqual(before);
    expect(finding.since).toBeLessThan(spun);
    expect(finding.time).toBeGreaterThanOrEqual(spun);
    expect(finding.message).toMatch(/blocked event loop: the main thread did not turn its event loop[\s\S]*at blockingSpin \(/);
  });

  it('stays silent while the program keeps turning its loop', async () => {
    const { findings, onFinding } = collect();
    const detector = new BlockedLoopDetector({ thresholdMs: 200, onFinding }).start();
    await detector.watching();
    const started = performance.now();
    // Chained awaits alone never turn the loop (microtasks only): the detector would be
    // right to fire. A well-behaved program goes back to the loop between rounds.
    while (performance.now() - started < 600) {
      await wellBehaved('good-loop');
      await new Promise(setImmediate);
    }
    detector.stop();
    expect(findings).toEqual([]);
  });
});

describe('watch()', () => {
  it('starts only the detectors asked for, and checks thresholds at the call', async () => {
    const { findings, onFinding } = collect();
    const watcher = watch({ longStepMs: 1000, waitCycles: true, onFinding });
    await watcher.ready();
    expect(watcher.detectors.map((d) => d.constructor.name)).toEqual(['LongStepDetector', 'WaitCycleDetector']);
    await wellBehaved('watched');
    watcher.stop();
    expect(findings).toEqual([]);
    expect(() => watch({ starvationMs: -1 })).toThrow(/thresholdMs/);
    expect(() => new BlockedLoopDetector({ thresholdMs: Number.NaN })).toThrow(/thresholdMs/);
  });

  it('a listener that throws never reaches the watched program', async () => {
    const detector = new LongStepDetector({
      thresholdMs: 1,
      onFinding: () => {
        throw new Error('listener bug');
      },
    }).start();
    // Caught here rather than printed: a passing test writes no warning to the output.
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const executor = new RoundRobinExecutor();
      function slow(): number {
        return blockingSpin(5);
      }
      await expect(executor.spawn(slow)).resolves.toBeGreaterThan(0);
      await executor.close();
      detector.stop();
      expect(emitWarning).toHaveBeenCalledWith(expect.stringMatching(/listener threw: Error: listener bug/), 'SpindleDiagnosticsWarning');
    } finally {
      emitWarning.mockRestore();
    }
  });
});
