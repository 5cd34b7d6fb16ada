import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channelNames } from '@spindle/core';
import { forEachTaskEvent, subscribeTaskEventStream } from '@spindle/core/events';
import type { TaskEvent } from '@spindle/core';
import { RoundRobinExecutor } from '@spindle/round-robin';
import { describe, expect, it } from 'vitest';
import { TrampolineExecutor } from '@spindle/trampoline';
import { cutEventCode, roundRobinBuild, trampolineBuild, trampolineShape } from '../src/workloads/without-events.js';
import { one, trampolineWorkloadsAsBuilt as onBuilt } from '../src/workloads/coroutines.js';
import { trampolineWorkloads } from '../src/workloads/trampoline-workloads.js';
import { Countdown } from '../src/workloads/state-machines.js';

/** The kinds of every event published while `run` runs, batch and per-kind subscribers alike. */
async function kindsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const kinds: string[] = [];
  const onObject = (message: unknown): void => {
    kinds.push((message as TaskEvent).kind);
  };
  const stop = subscribeTaskEventStream({
    onBatch: (batch) => {
      forEachTaskEvent(batch, (event) => {
        kinds.push(event.kind);
      });
    },
    onEvent: (event) => {
      kinds.push(event.kind);
    },
  });
  subscribe(channelNames.resume, onObject);
  try {
    await run();
  } finally {
    unsubscribe(channelNames.resume, onObject);
    stop();
  }
  return kinds;
}

describe('round-robin with its event code cut out (the idle-cost baseline)', () => {
  it('runs the same program to the same result, publishing no step events where the build does', async () => {
    const Cut = await roundRobinBuild(true);
    const cut = new Cut({ label: 'cut' });
    const built = new RoundRobinExecutor({ label: 'built' });
    const program = (ex: RoundRobinExecutor) => async () => Promise.all([ex.spawn(new Countdown(5)), ex.spawn(new Countdown(3))]);
    const builtKinds = await kindsDuring(program(built));
    const cutKinds = await kindsDuring(program(cut));
    expect(await built.spawn(new Countdown(4))).toBe(4);
    expect(await cut.spawn(new Countdown(4))).toBe(4);
    expect(builtKinds.filter((kind) => kind === 'resume').length).toBeGreaterThan(0);
    expect(builtKinds.filter((kind) => kind === 'suspend').length).toBeGreaterThan(0);
    // Spawn and settle are core's (the task), not the executor's step loop: they stay.
    expect(cutKinds.filter((kind) => kind !== 'spawn' && kind !== 'settle')).toEqual([]);
    expect(cutKinds.filter((kind) => kind === 'settle')).toHaveLength(2);
    await Promise.all([cut.close(), built.close()]);
  });

  it('refuses a build whose shape it does not know', () => {
    expect(() => cutEventCode('class X {}')).toThrow(/openEventWindow/);
    expect(() => cutEventCode('const l = this.openEventWindow();\nlog.close();\n')).toThrow(/at least 2 event blocks/);
  });
});

describe('trampoline with its event code cut out (the idle-cost baseline)', () => {
  it('runs the same programs to the same results, in drains and stepped in place, publishing no step events where the build does', async () => {
    const cutModule = await trampolineBuild(true);
    const cut = new cutModule.TrampolineExecutor({ label: 'cut' });
    const built = new TrampolineExecutor({ label: 'built' });
    const onCut = trampolineWorkloads(cutModule, one);
    // Recursion and fresh awaits wait on promises (a task woken outside a drain is stepped
    // in place); spawn-join goes through drains.
    const program = (ex: TrampolineExecutor) => async () =>
      ex === built
        ? Promise.all([onBuilt.recursion(ex, 20, 5), onBuilt.spawnJoin(ex, 50), onBuilt.freshAwaits(ex, 30)])
        : Promise.all([onCut.recursion(ex, 20, 5), onCut.spawnJoin(ex, 50), onCut.freshAwaits(ex, 30)]);
    const builtKinds = await kindsDuring(program(built));
    const cutKinds = await kindsDuring(program(cut));
    expect(await program(cut)()).toEqual([25, 50, 30]);
    expect(await program(built)()).toEqual([25, 50, 30]);
    for (const kind of ['resume', 'suspend', 'wake']) expect(builtKinds.filter((each) => each === kind).length).toBeGreaterThan(0);
    expect(cutKinds.filter((kind) => kind !== 'spawn' && kind !== 'settle')).toEqual([]);
    expect(cutKinds.filter((kind) => kind === 'settle').length).toBe(builtKinds.filter((kind) => kind === 'settle').length);
    await Promise.all([cut.close(), built.close()]);
  });

  it('refuses a build without the in-place window it rewrites', () => {
    const source = 'const l = this.openEventWindow();\nthis.draining = false;\nthis.eventLog.close();\n';
    expect(() => cutEventCode(source, trampolineShape)).toThrow(/turnListening.* once in @spindle\/trampoline's build, found it 0 times/);
  });
});

describe('an unchanged copy of a build (the idle cases load it the way they load the cut one)', () => {
  it('is a module of its own that publishes the events the package does', async () => {
    const Copy = await roundRobinBuild(false);
    expect(Copy).not.toBe(RoundRobinExecutor);
    const copy = new Copy({ label: 'copy' });
    const built = new RoundRobinExecutor({ label: 'built' });
    const program = (ex: RoundRobinExecutor) => async () => Promise.all([ex.spawn(new Countdown(5)), ex.spawn(new Countdown(3))]);
    const builtKinds = await kindsDuring(program(built));
    const copyKinds = await kindsDuring(program(copy));
    expect(builtKinds.filter((kind) => kind === 'resume').length).toBeGreaterThan(0);
    expect(copyKinds.sort()).toEqual(builtKinds.sort());
    await Promise.all([copy.close(), built.close()]);

    const trampolineCopy = await trampolineBuild(false);
    expect(trampolineCopy.TrampolineExecutor).not.toBe(TrampolineExecutor);
    const onCopy = trampolineWorkloads(trampolineCopy, one);
    const ex = new trampolineCopy.TrampolineExecutor({ label: 'copy' });
    const kinds = await kindsDuring(async () => onCopy.recursion(ex, 3, 2));
    expect(kinds.filter((kind) => kind === 'suspend').length).toBeGreaterThan(0);
    await ex.close();
  });
});
