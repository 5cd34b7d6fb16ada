import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { channelNames } from '@spindle/core';
import type { TaskEvent } from '@spindle/core';
import { forEachTaskEvent, subscribeTaskEventStream } from '@spindle/core/events';
import { RoundRobinExecutor } from '@spindle/round-robin';
import type { RoundRobinExecutor as RoundRobinClass } from '@spindle/round-robin';
import { TrampolineExecutor } from '@spindle/trampoline';
import { describe, expect, it } from 'vitest';
import { BUILDS_ROOT, coreBuildOptions, coreBuilds, coreDir, coreEntryFiles, readBuild } from '../src/builds/core-builds.js';
import { STEPPING_MODULES, eventCodeInKit } from '../src/builds/event-code-scan.js';
import { roundRobinBuild, trampolineBuild } from '../src/builds/executor-builds.js';
import { one } from '../src/workloads/coroutines.js';
import { Countdown } from '../src/workloads/state-machines.js';
import { trampolineWorkloads } from '../src/workloads/trampoline-workloads.js';

/** The kinds of every event published while `run` runs, to batch and per-kind subscribers alike. */
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

/** Calls into the event machinery, as they read in the build (a call, not a declaration). */
const EVENT_CALLS: readonly RegExp[] = [
  /\.publishStep\(/,
  /\.publishSuspend\(/,
  /\.publishSettle\(/,
  /\.recordFinish\(/,
  /\.recordWokenStep\(/,
  /\.eventLog\.stepped\(/,
  /\.eventLog\.steppedOn\(/,
  /\.eventLog\.expectWindow\(/,
  /(?<!function )\bpublishSpawn\(/,
];

describe('core built with events and without', () => {
  it('is built with the same settings but for __SPINDLE_EVENTS__, dead code removed and names kept', () => {
    const { define: withDefine, ...withEvents } = coreBuildOptions('/core', true, '/out');
    const { define: withoutDefine, ...withoutEvents } = coreBuildOptions('/core', false, '/out');
    expect(withoutEvents).toEqual(withEvents);
    expect(withDefine).toEqual({ __SPINDLE_EVENTS__: 'true' });
    expect(withoutDefine).toEqual({ __SPINDLE_EVENTS__: 'false' });
    expect(withEvents).toMatchObject({ bundle: true, splitting: true, format: 'esm', minifySyntax: true });
    expect(withEvents).not.toHaveProperty('minifyIdentifiers');
    expect(withEvents).not.toHaveProperty('minifyWhitespace');
  });

  it("builds every entry point core exports, under their exported file names", () => {
    expect([...coreEntryFiles(coreDir())]).toEqual([
      ['@spindle/core', 'index.js'],
      ['@spindle/core/kit', 'kit.js'],
      ['@spindle/core/events', 'events.js'],
    ]);
  });

  it('is built once into the temporary folder and shared, each build beside copies of the executors', async () => {
    const builds = await coreBuilds();
    expect(coreBuilds()).toBe(coreBuilds());
    for (const dir of [builds.withEvents, builds.withoutEvents]) {
      expect(path.dirname(path.dirname(dir))).toBe(BUILDS_ROOT);
      expect(readdirSync(dir)).toEqual(expect.arrayContaining(['index.js', 'kit.js', 'events.js', 'round-robin.js', 'trampoline.js']));
    }
    expect(path.dirname(builds.withEvents)).toBe(path.dirname(builds.withoutEvents));
  });

  it("has no event code left in the kit without events, and event code in every stepping module with them", async () => {
    const builds = await coreBuilds();
    const withEvents = readBuild(builds.withEvents);
    const withoutEvents = readBuild(builds.withoutEvents);
    expect(eventCodeInKit(withoutEvents)).toEqual([]);
    const found = eventCodeInKit(withEvents);
    expect(new Set(found.map((reference) => reference.module))).toEqual(new Set(STEPPING_MODULES));
    const names = found.map((reference) => reference.name);
    for (const name of ['eventLog', 'publishStep', 'publishSuspend', 'publishWake', 'publishSettle', 'publishSpawn', 'openEventWindow', 'recordFinish']) expect(names).toContain(name);
    // The same read as text, without the scan: calls into the event log and the publishers.
    const text = (files: ReadonlyMap<string, string>): string => [...files.values()].join('\n');
    for (const call of EVENT_CALLS) {
      expect(text(withEvents)).toMatch(call);
      expect(text(withoutEvents)).not.toMatch(call);
    }
  });
});

describe('round-robin on each build of core', () => {
  it('runs a program to the same results; with events it publishes every kind, without them none', async () => {
    const program = (ex: RoundRobinClass) => async () => Promise.all([ex.spawn(new Countdown(5)), ex.spawn(new Countdown(3))]);
    const WithEvents = await roundRobinBuild(true);
    const WithoutEvents = await roundRobinBuild(false);
    expect(new Set([WithEvents, WithoutEvents, RoundRobinExecutor]).size).toBe(3);
    const withEvents = new WithEvents({ label: 'with-events' });
    const withoutEvents = new WithoutEvents({ label: 'without-events' });
    const kindsWith = await kindsDuring(program(withEvents));
    const kindsWithout = await kindsDuring(program(withoutEvents));
    expect(await program(withEvents)()).toEqual([5, 3]);
    expect(await program(withoutEvents)()).toEqual([5, 3]);
    for (const kind of ['spawn', 'start', 'suspend', 'resume', 'settle']) expect(kindsWith).toContain(kind);
    expect(kindsWithout).toEqual([]);
    await Promise.all([withEvents.close(), withoutEvents.close()]);
  });
});

describe('trampoline on each build of core', () => {
  it('runs the same programs to the same results, in drains and stepped in place; with events it publishes every kind, without them none', async () => {
    const modules = { with: await trampolineBuild(true), without: await trampolineBuild(false) };
    expect(new Set([modules.with.TrampolineExecutor, modules.without.TrampolineExecutor, TrampolineExecutor]).size).toBe(3);
    const run = async (module: typeof modules.with, label: string): Promise<{ results: number[]; kinds: string[] }> => {
      const ex = new module.TrampolineExecutor({ label });
      const on = trampolineWorkloads(module, one);
      // Recursion and fresh awaits wait on promises (a task woken outside a drain is
      // stepped in place); spawn-join goes through drains.
      const program = async () => Promise.all([on.recursion(ex, 20, 5), on.spawnJoin(ex, 50), on.freshAwaits(ex, 30), on.concurrent(ex, 10, 3)]);
      const kinds = await kindsDuring(program);
      const results = await program();
      await ex.close();
      return { results, kinds };
    };
    const withEvents = await run(modules.with, 'with-events');
    const withoutEvents = await run(modules.without, 'without-events');
    expect(withEvents.results).toEqual([25, 50, 30, 30]);
    expect(withoutEvents.results).toEqual([25, 50, 30, 30]);
    for (const kind of ['spawn', 'start', 'suspend', 'resume', 'wake', 'settle']) expect(withEvents.kinds).toContain(kind);
    expect(withoutEvents.kinds).toEqual([]);
  });
});
