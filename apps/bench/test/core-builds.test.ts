import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { channelNames } from '@spindle/core';
import type { TaskEvent } from '@spindle/core';
import { forEachTaskEvent, subscribeTaskEventStream } from '@spindle/core/events';
import { RoundRobinExecutor } from '@spindle/round-robin';
import type { RoundRobinExecutor as RoundRobinClass } from '@spindle/round-robin';
import { TrampolineExecutor } from '@spindle/trampoline';
import { describe, expect, it } from 'vitest';
import { BUILDS_ROOT, checkSameAsInstalled, coreBuilds, coreDir, coreEntryFiles, readBuild, readCoreBuild } from '../src/builds/core-builds.js';
import { STEPPING_MODULES, eventCodeInKit } from '../src/builds/event-code-scan.js';
import { roundRobinBuild, trampolineBuild } from '../src/builds/executor-builds.js';
import { differingFiles } from '../src/builds/same-build.js';
import { esmBuildOptions, esmConfigItem } from '../src/builds/tsup-options.js';
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

/** Core's own tsup config (its default export), as its `build` script reads it. */
async function coreTsupConfig(): Promise<unknown> {
  return ((await import(pathToFileURL(path.join(coreDir(), 'tsup.config.ts')).href)) as { default: unknown }).default;
}

/**
 * How many times each method of the event machinery ran during `run`, on the build of core
 * in `dir`: every method of its event log (`TaskEventLog` and the batch log under it) and
 * of the kit's `StepEvents` (who listens, event windows, the general-path publishers), and
 * the settle publisher of its tasks. Read from the code that runs, not from its text.
 */
async function eventMethodCalls(dir: string, run: () => Promise<unknown>): Promise<Map<string, number>> {
  const kit = (await import(pathToFileURL(path.join(dir, 'kit.js')).href)) as { StepEvents: { prototype: object }; Task: { prototype: object } };
  const events = (await import(pathToFileURL(path.join(dir, 'events.js')).href)) as { TaskEventLog: { prototype: object } };
  const logPrototype = events.TaskEventLog.prototype;
  const targets: [string, object, readonly string[] | undefined][] = [
    ['TaskEventLog', logPrototype, undefined],
    ['BatchLog', Object.getPrototypeOf(logPrototype) as object, undefined],
    ['StepEvents', kit.StepEvents.prototype, undefined],
    ['Task', kit.Task.prototype, ['publishSettle']],
  ];
  const calls = new Map<string, number>();
  const restore: (() => void)[] = [];
  for (const [owner, prototype, only] of targets) {
    for (const name of only ?? Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      const original: unknown = descriptor?.value;
      if (name === 'constructor' || descriptor === undefined || typeof original !== 'function') continue;
      const key = `${owner}.${name}`;
      Object.defineProperty(prototype, name, {
        ...descriptor,
        value: function (this: unknown, ...args: unknown[]): unknown {
          calls.set(key, (calls.get(key) ?? 0) + 1);
          return Reflect.apply(original, this, args);
        },
      });
      restore.push(() => {
        Object.defineProperty(prototype, name, descriptor);
      });
    }
  }
  try {
    await run();
  } finally {
    for (const undo of restore) undo();
  }
  return calls;
}

describe('core built with events and without', () => {
  it("is built by core's own tsup with its own config, the two builds differing only in __SPINDLE_EVENTS__", async () => {
    const config = await coreTsupConfig();
    const item = esmConfigItem(config);
    const { define: withDefine, ...withEvents } = esmBuildOptions(config, true, '/out');
    const { define: withoutDefine, ...withoutEvents } = esmBuildOptions(config, false, '/out');
    expect(withoutEvents).toEqual(withEvents);
    expect(withDefine).toEqual({ ...(item.define as object), __SPINDLE_EVENTS__: 'true' });
    expect(withoutDefine).toEqual({ ...(item.define as object), __SPINDLE_EVENTS__: 'false' });
    // Core's config item as it is, but where it writes and three settings that write no JavaScript.
    const { define: itemDefine, ...rest } = item;
    expect(itemDefine).toMatchObject({ __SPINDLE_EVENTS__: 'true' });
    expect(withEvents).toEqual({ ...rest, outDir: '/out', dts: false, silent: true, config: false });
    expect(withEvents).toMatchObject({ format: 'esm', splitting: true });
  });

  it("refuses a tsup config without one ES module build or without the event switch", () => {
    expect(() => esmConfigItem([{ format: 'cjs', define: { __SPINDLE_EVENTS__: 'true' } }])).toThrow(/0 ES module builds/);
    expect(() => esmConfigItem({ format: ['esm', 'cjs'] })).toThrow(/defines no __SPINDLE_EVENTS__/);
    expect(esmConfigItem({ format: ['esm', 'cjs'], define: { __SPINDLE_EVENTS__: 'true' } })).toEqual({ format: ['esm', 'cjs'], define: { __SPINDLE_EVENTS__: 'true' } });
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
      // ES module scope, as core's package is: a loader must not turn the files into CommonJS.
      expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))).toMatchObject({ type: 'module' });
    }
    expect(path.dirname(builds.withEvents)).toBe(path.dirname(builds.withoutEvents));
  });

  it('with events, runs the same JavaScript as core as installed; without, differs from it', async () => {
    const builds = await coreBuilds();
    expect(() => {
      checkSameAsInstalled(coreDir(), builds.withEvents);
    }).not.toThrow();
    const installed = readCoreBuild(path.join(coreDir(), 'dist'));
    expect([...installed.keys()]).toEqual(expect.arrayContaining(['index.js', 'kit.js', 'events.js']));
    expect(differingFiles(installed, readCoreBuild(builds.withEvents))).toEqual([]);
    expect(differingFiles(installed, readCoreBuild(builds.withoutEvents))).not.toEqual([]);
  });

  it("has no live event code left in the kit without events, and event code in every stepping module with them", async () => {
    const builds = await coreBuilds();
    const withEvents = readBuild(builds.withEvents);
    const withoutEvents = readBuild(builds.withoutEvents);
    expect(eventCodeInKit(withoutEvents)).toEqual([]);
    const found = eventCodeInKit(withEvents);
    expect(new Set(found.map((reference) => reference.module))).toEqual(new Set(STEPPING_MODULES));
    const names = found.map((reference) => reference.name);
    for (const name of ['eventLog', 'publishStep', 'publishSuspend', 'publishWake', 'publishSettle', 'publishSpawn', 'openEventWindow', 'recordFinish']) expect(names).toContain(name);
  });

  it('runs no method of the event machinery without events; with them, nothing subscribed, only the checks of who listens', async () => {
    const builds = await coreBuilds();
    const program = async (events: boolean): Promise<Map<string, number>> => {
      const dir = events ? builds.withEvents : builds.withoutEvents;
      const { RoundRobinExecutor: Executor } = (await import(pathToFileURL(path.join(dir, 'round-robin.js')).href)) as { RoundRobinExecutor: typeof RoundRobinExecutor };
      const ex = new Executor({ label: `calls:${String(events)}` });
      const resolved = Promise.resolve();
      function* awaiting(): Generator<Promise<void>, number> {
        for (let i = 0; i < 5; i++) yield resolved;
        return 5;
      }
      const calls = await eventMethodCalls(dir, () => Promise.all([ex.spawn(new Countdown(5)), ex.spawn(awaiting)]));
      await ex.close();
      return calls;
    };
    expect(new Map(await program(false))).toEqual(new Map());
    const withEvents = await program(true);
    // A drain opens and closes a window after asking who listens; a wake outside a drain is offered to its publisher.
    for (const method of ['StepEvents.openEventWindow', 'StepEvents.listeners', 'BatchLog.close', 'StepEvents.publishWake']) expect(withEvents.get(method)).toBeGreaterThan(0);
    for (const method of ['StepEvents.publishStep', 'StepEvents.publishSuspend', 'Task.publishSettle', 'TaskEventLog.stepped', 'TaskEventLog.spawned']) expect(withEvents.has(method)).toBe(false);
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
