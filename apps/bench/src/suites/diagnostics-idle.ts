import type { Executor, TaskHandle } from '@spindle/core';
import { RoundRobinExecutor } from '@spindle/round-robin';
import type { TrampolineExecutor } from '@spindle/trampoline';
import type { BenchCase, Subject, SuiteOptions } from '../suite.js';
import { one } from '../workloads/coroutines.js';
import { spindleAll } from '../workloads/spindle.js';
import { trampolineWorkloads } from '../workloads/trampoline-workloads.js';
import type { TrampolineWorkloads } from '../workloads/trampoline-workloads.js';
import { roundRobinBuild, trampolineBuild } from '../builds/executor-builds.js';
import { trampolineCases, trampolineSuite } from './trampoline.js';
import type { TrampolineSide } from './trampoline.js';

/**
 * The three subjects of an idle case: the executor's build on core built by its own tsup
 * and config with `__SPINDLE_EVENTS__` false, no live event code (the baseline); the same
 * on core built the same way with it true, nothing subscribed, which is checked to be the
 * same JavaScript as core's installed build (the focus: its ratio is the idle cost); and
 * the packages as installed, a control (the same code as the focus, loaded from the
 * workspace as users load it). See `src/builds/`.
 */
function idleSubjects(packageName: 'round-robin' | 'trampoline'): { without: string; with: string; built: string } {
  return { without: `spindle/${packageName}-without-events`, with: `spindle/${packageName}-with-events`, built: `spindle/${packageName}` };
}

const WITHOUT_RUNS = 'on core built by its tsup config with __SPINDLE_EVENTS__ false: no event code';
const WITH_RUNS = 'on core built the same way with __SPINDLE_EVENTS__ true (its installed code), nothing subscribed';
const BUILT_RUNS = 'as installed, nothing subscribed';
/** How an idle case's description ends. */
const VERSUS = 'nothing subscribed: core built without event code vs with it';

/** A round-robin step workload: `tasks` tasks, each spawned by `spawnOne`, of `steps` steps. */
export interface StepWorkload {
  readonly name: string;
  readonly description: string;
  readonly spawnOne: (executor: Executor) => TaskHandle<number>;
}

/** The idle cost on a round-robin step workload: with events compiled in and nothing subscribed, against no event code. */
export function roundRobinIdleCase(workload: StepWorkload, tasks: number, steps: number): BenchCase {
  const names = idleSubjects('round-robin');
  // The three run the same function, each on its own executor, once its class is loaded.
  const subject = (name: string, runs: string, load: () => Promise<typeof RoundRobinExecutor>): Subject => {
    let executor: Executor | undefined;
    return {
      subject: name,
      runs,
      run: async () => {
        const ex = (executor ??= new (await load())({ label: `bench:idle:${name}` }));
        return spindleAll(tasks, () => workload.spawnOne(ex));
      },
      dispose: () => executor?.close(),
    };
  };
  return {
    name: `idle/${workload.name}`,
    description: `${workload.description} on round-robin, ${VERSUS}`,
    opsPerRun: tasks * steps,
    op: 'step',
    expected: tasks * steps,
    baseline: names.without,
    focus: names.with,
    subjects: [
      subject(names.without, WITHOUT_RUNS, () => roundRobinBuild(false)),
      subject(names.with, WITH_RUNS, () => roundRobinBuild(true)),
      subject(names.built, BUILT_RUNS, () => Promise.resolve(RoundRobinExecutor)),
    ],
  };
}

/** A trampoline case's Spindle subject on core built with events or without (loaded at its first run, its check). */
function onBuiltTrampoline(name: string, events: boolean): TrampolineSide {
  return (runs, run) => {
    let loaded: { executor: TrampolineExecutor; workloads: TrampolineWorkloads } | undefined;
    return {
      subject: name,
      runs: events ? WITH_RUNS : WITHOUT_RUNS,
      run: () => {
        if (loaded !== undefined) return run(loaded.executor, loaded.workloads);
        return trampolineBuild(events).then((module) => {
          loaded = { executor: new module.TrampolineExecutor({ label: `bench:idle:${name}:${runs}` }), workloads: trampolineWorkloads(module, one) };
          return run(loaded.executor, loaded.workloads);
        });
      },
      dispose: () => loaded?.executor.close(),
    };
  };
}

/**
 * The idle cost on every case of the trampoline suite: its Spindle subject with events
 * compiled in and nothing subscribed, against the same subject with no event code.
 */
export function trampolineIdleCases(options: SuiteOptions): BenchCase[] {
  const names = idleSubjects('trampoline');
  const byName = (cases: readonly BenchCase[]) => new Map(cases.map((bench) => [bench.name, bench]));
  const without = byName(trampolineCases(options, onBuiltTrampoline(names.without, false)));
  const withEvents = byName(trampolineCases(options, onBuiltTrampoline(names.with, true)));
  return trampolineSuite.cases(options).map((bench) => {
    const find = (cases: ReadonlyMap<string, BenchCase>, name: string): Subject => {
      const found = cases.get(bench.name)?.subjects.find((subject) => subject.subject === name);
      if (found === undefined) throw new Error(`diagnostics suite: trampoline case ${bench.name} has no subject ${name}`);
      return found;
    };
    const built = find(byName([bench]), names.built);
    return {
      name: `idle/trampoline/${bench.name}`,
      description: `${bench.description}, ${VERSUS}`,
      opsPerRun: bench.opsPerRun,
      op: bench.op,
      expected: bench.expected,
      baseline: names.without,
      focus: names.with,
      ...(bench.timing === undefined ? {} : { timing: bench.timing }),
      subjects: [find(without, names.without), find(withEvents, names.with), { ...built, runs: `${BUILT_RUNS}: ${built.runs}` }],
    };
  });
}
