import type { Executor, TaskHandle } from '@spindle/core';
import { RoundRobinExecutor } from '@spindle/round-robin';
import type { TrampolineExecutor } from '@spindle/trampoline';
import type { BenchCase, Subject, SuiteOptions } from '../suite.js';
import { one } from '../workloads/coroutines.js';
import { spindleAll } from '../workloads/spindle.js';
import { trampolineWorkloads } from '../workloads/trampoline-workloads.js';
import type { TrampolineWorkloads } from '../workloads/trampoline-workloads.js';
import { roundRobinBuild, trampolineBuild } from '../workloads/without-events.js';
import { trampolineCases, trampolineSuite } from './trampoline.js';
import type { TrampolineSide } from './trampoline.js';

/**
 * The three subjects of an idle case: the executor's build with its event code cut out
 * (the baseline); an unchanged copy of the build, loaded the same way (the focus: its ratio
 * is the idle cost); and the package as installed, whose ratio to the copy is a control,
 * the same code loaded twice.
 */
function idleSubjects(packageName: 'round-robin' | 'trampoline'): { cut: string; copy: string; built: string } {
  return { cut: `spindle/${packageName}-without-events`, copy: `spindle/${packageName}-copy`, built: `spindle/${packageName}` };
}

const CUT_RUNS = 'the build with its event code cut out, loaded from a copy';
const COPY_RUNS = 'as built, nothing subscribed, loaded from a copy the way the cut build is';
const BUILT_RUNS = 'as built, nothing subscribed, the package as installed';

/** A round-robin step workload: `tasks` tasks, each spawned by `spawnOne`, of `steps` steps. */
export interface StepWorkload {
  readonly name: string;
  readonly description: string;
  readonly spawnOne: (executor: Executor) => TaskHandle<number>;
}

/** The idle cost on a round-robin step workload: as built, nothing subscribed, against the build with its event code cut out. */
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
    description: `${workload.description} on round-robin, nothing subscribed: the build with the event code cut out vs the same build`,
    opsPerRun: tasks * steps,
    op: 'step',
    expected: tasks * steps,
    baseline: names.cut,
    focus: names.copy,
    subjects: [
      subject(names.cut, CUT_RUNS, () => roundRobinBuild(true)),
      subject(names.copy, COPY_RUNS, () => roundRobinBuild(false)),
      subject(names.built, BUILT_RUNS, () => Promise.resolve(RoundRobinExecutor)),
    ],
  };
}

/** A trampoline case's Spindle subject on a copy of the build, cut or not (loaded at its first run, its check). */
function onCopiedTrampoline(name: string, cut: boolean): TrampolineSide {
  return (runs, run) => {
    let loaded: { executor: TrampolineExecutor; workloads: TrampolineWorkloads } | undefined;
    return {
      subject: name,
      runs: cut ? CUT_RUNS : COPY_RUNS,
      run: () => {
        if (loaded !== undefined) return run(loaded.executor, loaded.workloads);
        return trampolineBuild(cut).then((module) => {
          loaded = { executor: new module.TrampolineExecutor({ label: `bench:idle:${name}:${runs}` }), workloads: trampolineWorkloads(module, one) };
          return run(loaded.executor, loaded.workloads);
        });
      },
      dispose: () => loaded?.executor.close(),
    };
  };
}

/**
 * The idle cost on every case of the trampoline suite: its Spindle subject as built,
 * nothing subscribed, against the same subject on the build with its event code cut out.
 */
export function trampolineIdleCases(options: SuiteOptions): BenchCase[] {
  const names = idleSubjects('trampoline');
  const byName = (cases: readonly BenchCase[]) => new Map(cases.map((bench) => [bench.name, bench]));
  const cut = byName(trampolineCases(options, onCopiedTrampoline(names.cut, true)));
  const copy = byName(trampolineCases(options, onCopiedTrampoline(names.copy, false)));
  return trampolineSuite.cases(options).map((bench) => {
    const find = (cases: ReadonlyMap<string, BenchCase>, name: string): Subject => {
      const found = cases.get(bench.name)?.subjects.find((subject) => subject.subject === name);
      if (found === undefined) throw new Error(`diagnostics suite: trampoline case ${bench.name} has no subject ${name}`);
      return found;
    };
    const built = find(byName([bench]), names.built);
    return {
      name: `idle/trampoline/${bench.name}`,
      description: `${bench.description}, nothing subscribed: the build with the event code cut out vs the same build`,
      opsPerRun: bench.opsPerRun,
      op: bench.op,
      expected: bench.expected,
      baseline: names.cut,
      focus: names.copy,
      ...(bench.timing === undefined ? {} : { timing: bench.timing }),
      subjects: [find(cut, names.cut), find(copy, names.copy), { ...built, runs: `${BUILT_RUNS}: ${built.runs}` }],
    };
  });
}
