import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskContext, TaskHandle } from '@spindle/core';
import { BlockedLoopDetector, WaitCycleDetector } from '@spindle/diagnostics';
import type { BlockedLoopFinding, Finding, WaitCycleFinding } from '@spindle/diagnostics';
import { RoundRobinExecutor } from '@spindle/round-robin';
import { spinSync } from './sleep-sync.js';
import type { Stage, StageSizes } from './stage.js';

/** Resolves with the first finding of `kind`, or undefined after `ms` (a detector may miss on a loaded machine). */
function firstFinding<K extends Finding['kind']>(kind: K, ms: number): { onFinding: (finding: Finding) => void; found: Promise<Extract<Finding, { kind: K }> | undefined> } {
  let resolve: (finding: Extract<Finding, { kind: K }> | undefined) => void = () => undefined;
  const found = new Promise<Extract<Finding, { kind: K }> | undefined>((done) => {
    resolve = done;
  });
  const timer = setTimeout(() => {
    resolve(undefined);
  }, ms);
  return {
    found,
    onFinding: (finding) => {
      if (finding.kind !== kind) return;
      clearTimeout(timer);
      resolve(finding as Extract<Finding, { kind: K }>);
    },
  };
}

/** The mistake: a synchronous, CPU-bound call in the middle of async code. */
function readConfigSync(ms: number): number {
  return spinSync(ms);
}

/** An async body that looks fine, until the synchronous call holds the only thread. */
async function loadSettings(_ctx: TaskContext, blockMs: number): Promise<number> {
  await sleep(5);
  return readConfigSync(blockMs);
}

async function syncOverAsync(sizes: StageSizes): Promise<BlockedLoopFinding | undefined> {
  const { onFinding, found } = firstFinding('blocked-event-loop', sizes.blockMs + 5000);
  const detector = new BlockedLoopDetector({ thresholdMs: Math.min(100, sizes.blockMs / 3), onFinding }).start();
  const executor = new RoundRobinExecutor({ label: 'round-robin (sync over async)' });
  try {
    await detector.watching();
    await executor.spawn(loadSettings, [sizes.blockMs], { name: 'loadSettings' });
    await executor.close();
    return await found;
  } finally {
    detector.stop();
    await executor.close({ mode: 'cancel' });
  }
}

async function waitCycle(): Promise<WaitCycleFinding | undefined> {
  const { onFinding, found } = firstFinding('wait-cycle', 5000);
  const detector = new WaitCycleDetector({ onFinding }).start();
  const executor = new RoundRobinExecutor({ label: 'round-robin (wait cycle)' });
  // Two tasks, each joining the other: neither can ever finish.
  const later: { a?: TaskHandle<unknown> } = {};
  function* orderShipped(): Generator<unknown, unknown> {
    const invoice: unknown = yield later.a;
    return invoice;
  }
  function* invoiceSent(_ctx: TaskContext, shipped: TaskHandle<unknown>): Generator<unknown, unknown> {
    const value: unknown = yield shipped;
    return value;
  }
  const b = executor.spawn(orderShipped, [], { name: 'order shipped' });
  const a = executor.spawn(invoiceSent, [b], { name: 'invoice sent' });
  later.a = a;
  try {
    return await found;
  } finally {
    detector.stop();
    // The only way out of a deadlock: cancel one side (here both), and the executor drains.
    a.cancel('deadlock shown');
    b.cancel('deadlock shown');
    await Promise.allSettled([a, b]);
    await executor.close({ mode: 'cancel' });
  }
}

/** Stage 8: the classic mistakes, each made on purpose and caught by a diagnostics detector. */
export const mistakesStage: Stage = {
  index: 8,
  name: 'mistakes',
  title: 'Classic mistakes, caught',
  summary:
    'Sync over async: an async task calls a synchronous function that holds the thread; the blocked-loop detector reports the stack. Then two tasks join each other; the wait-cycle detector names them.',
  run: async (sizes, progress) => {
    progress(0, 2);
    const blocked = await syncOverAsync(sizes);
    progress(1, 2);
    const cycle = await waitCycle();
    progress(2, 2);
    const frames = blocked?.stack.slice(0, 4).map((frame) => `    at ${frame.functionName || '<anonymous>'} (${frame.url.split('/').at(-1) ?? ''})`) ?? [];
    return {
      result: { blockedLoop: blocked !== undefined, waitCycle: cycle?.cycle.map((task) => task.name ?? task.body) ?? [] },
      findings: [blocked, cycle].filter((finding) => finding !== undefined),
      notes: [
        blocked === undefined
          ? 'blocked event loop: not caught this time (the watchdog may miss on a loaded machine)'
          : `blocked event loop for about ${(blocked.time - blocked.since).toFixed(0)} ms; the watchdog took the stack ${blocked.blockedMs.toFixed(0)} ms in, innermost first:`,
        ...frames,
        // Worth saying: the steps alone would miss it, which is why the watchdog exists.
        'no long step shows it: after its first `await` the body runs on the microtask queue, outside any executor step;',
        'the red band on the timeline is the watchdog\'s finding, from when the loop last turned to when it turned again',
        cycle === undefined ? 'wait cycle: not caught' : `wait cycle: ${cycle.cycle.map((task) => task.name ?? task.body).join(' → ')} → back to the first`,
      ],
    };
  },
};
