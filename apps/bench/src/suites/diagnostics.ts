import type { Executor, TaskHandle } from '@spindle/core';
import { Metrics, Recorder } from '@spindle/diagnostics';
import { RoundRobinExecutor } from '@spindle/round-robin';
import type { BenchCase, Subject, Suite, SuiteOptions } from '../suite.js';
import { spindleSubject } from '../suite.js';
import { awaitingGenerator, yieldingGenerator } from '../workloads/bodies.js';
import { Countdown } from '../workloads/state-machines.js';
import { spindleAll } from '../workloads/spindle.js';
import { poolSuite } from './pool.js';
import { roundRobinStep } from './round-robin-step.js';
import { trampolineSuite } from './trampoline.js';
import { roundRobinIdleCase, trampolineIdleCases } from './diagnostics-idle.js';
import type { StepWorkload } from './diagnostics-idle.js';

/** Tasks per run of the idle and Metrics cases. */
const TASKS = 100;
/** Steps per task. */
const STEPS = 100;

const diagnostics = spindleSubject('@spindle/diagnostics');
const roundRobin = spindleSubject('@spindle/round-robin');

/**
 * The executors' own benchmark suites: every case of theirs is measured again here, its
 * Spindle subject as built against the same subject with a Recorder on.
 */
const executorSuites: readonly Suite[] = [roundRobinStep, trampolineSuite, poolSuite];

/**
 * `subject` with a Recorder on: started before each block of its runs and stopped after
 * (see {@link Subject.session}), so that the same subject's plain runs have nobody
 * subscribed and the recorder's own start and stop are not timed ({@link perRunCase}
 * measures those). It runs on the subject's own executor, which the subject itself
 * releases. The recorder keeps its default 100 000-record ring, which wraps during a block:
 * the steady state of a long recording.
 */
function recorded(subject: Subject): Subject {
  const recorder = new Recorder();
  return {
    subject: diagnostics,
    runs: `Recorder on: ${subject.runs}`,
    run: () => subject.run(),
    session: () => {
      recorder.start();
      return () => {
        recorder.stop();
      };
    },
    ...(subject.mayFail === undefined ? {} : { mayFail: subject.mayFail }),
  };
}

/**
 * A Recorder started and stopped around every run of `subject`, as a program that records
 * one request or one job at a time would: the recorder's start and stop are timed with the
 * run.
 */
function recordedPerRun(subject: Subject): Subject {
  const recorder = new Recorder();
  return {
    subject: diagnostics,
    runs: `Recorder started and stopped around each run: ${subject.runs}`,
    run: async () => {
      recorder.start();
      try {
        return await subject.run();
      } finally {
        recorder.stop();
      }
    },
  };
}

/** `bench`'s workload with `subject` as built (the baseline) against `other`: `subject` with diagnostics on, as `versus` says. */
function asBuiltVs(bench: BenchCase, subject: Subject, name: string, versus: string, other: Subject): BenchCase {
  return {
    name,
    description: `${bench.description}: ${subject.subject} as built vs ${versus}`,
    opsPerRun: bench.opsPerRun,
    op: bench.op,
    expected: bench.expected,
    baseline: subject.subject,
    ...(bench.timing === undefined ? {} : { timing: bench.timing }),
    subjects: [subject, other],
  };
}

/**
 * The recorder's cost on the executors' benchmarks: for every case of their suites and
 * every Spindle subject in it, that subject as built (the baseline) and the same subject
 * with a Recorder on. Peers are left out; the memory case measures resident memory, not
 * time, and is left out too.
 */
function recorderCases(options: SuiteOptions): BenchCase[] {
  return executorSuites.flatMap((suite) =>
    suite
      .cases(options)
      .filter((bench) => !bench.name.startsWith('memory/'))
      .flatMap((bench) => {
        const own = bench.subjects.filter((subject) => subject.subject.startsWith('spindle/'));
        return own.map((subject) =>
          asBuiltVs(bench, subject, `recorder/${suite.name}/${bench.name}${own.length > 1 ? `/${subject.subject}` : ''}`, 'with a Recorder on', recorded(subject)),
        );
      }),
  );
}

/** A round-robin step workload with Metrics on (started before each block of its runs, stopped after) or nothing. */
function metricsSubject(withMetrics: boolean, spawnOne: (executor: Executor) => TaskHandle<number>): Subject {
  let executor: Executor | undefined;
  const metrics = new Metrics({ keepSettledTasks: 0 });
  return {
    subject: withMetrics ? diagnostics : roundRobin,
    runs: withMetrics ? 'Metrics on (histograms, gauges)' : 'nothing subscribed',
    run: () => {
      const ex = (executor ??= new RoundRobinExecutor({ label: `bench:diagnostics:${withMetrics ? 'metrics' : 'nothing'}` }));
      return spindleAll(TASKS, () => spawnOne(ex));
    },
    ...(withMetrics
      ? {
          session: () => {
            metrics.start();
            return () => {
              metrics.stop();
            };
          },
        }
      : {}),
    dispose: () => executor?.close(),
  };
}

function buildCases(options: SuiteOptions): BenchCase[] {
  const resolved = Promise.resolve();
  const common = { opsPerRun: TASKS * STEPS, op: 'step', expected: TASKS * STEPS } as const;
  const workloads: StepWorkload[] = [
    { name: 'yield/state-machine', description: `${TASKS} state machines × ${STEPS} steps`, spawnOne: (ex) => ex.spawn(new Countdown(STEPS)) },
    { name: 'yield/generator', description: `${TASKS} generators × ${STEPS} steps, bare \`yield\``, spawnOne: (ex) => ex.spawn(yieldingGenerator, [STEPS]) },
    { name: 'await/generator', description: `${TASKS} generators × ${STEPS} steps, \`yield resolved\` (park and wake)`, spawnOne: (ex) => ex.spawn(awaitingGenerator, [STEPS, resolved]) },
  ];
  const idle = workloads.map((workload) => roundRobinIdleCase(workload, TASKS, STEPS));
  const metrics = workloads.map(
    ({ name, description, spawnOne }): BenchCase => ({
      ...common,
      baseline: roundRobin,
      name: `metrics/${name}`,
      description: `${description} on round-robin: nothing subscribed vs Metrics`,
      subjects: [metricsSubject(false, spawnOne), metricsSubject(true, spawnOne)],
    }),
  );
  return [...idle, ...trampolineIdleCases(options), ...recorderCases(options), ...perRunCases(options), ...metrics];
}

/**
 * The recorder's cost when it is started and stopped around every run: round-robin's
 * state-machine steps (a run of 10 000 steps) and trampoline's recursion to depth 1000 (a
 * run of 80 µs, where a start and a stop weigh most).
 */
function perRunCases(options: SuiteOptions): BenchCase[] {
  const picked: readonly (readonly [Suite, string])[] = [
    [roundRobinStep, 'yield/state-machine'],
    [trampolineSuite, 'recursion/depth-1000'],
  ];
  return picked.map(([suite, name]) => {
    const bench = suite.cases(options).find((candidate) => candidate.name === name);
    if (bench === undefined) throw new Error(`diagnostics suite: no case ${suite.name} › ${name}`);
    const own = bench.subjects.find((subject) => subject.subject.startsWith('spindle/'));
    if (own === undefined) throw new Error(`diagnostics suite: case ${suite.name} › ${name} has no Spindle subject`);
    return asBuiltVs(bench, own, `recorder-per-run/${suite.name}/${bench.name}`, 'with a Recorder started and stopped around each run', recordedPerRun(own));
  });
}

/**
 * What diagnostics cost: the round-robin step workloads and every trampoline case with
 * events compiled in and nothing subscribed, against core built without event code
 * (idle); every case of the executors' own suites with a Recorder on (which takes
 * executors' events from core's batch channel); and the round-robin step workloads with
 * Metrics.
 */
export const diagnosticsSuite: Suite = {
  name: 'diagnostics',
  description: `cost of @spindle/diagnostics: nothing subscribed (round-robin's step workloads and every trampoline case, on core built with its event code and without), the Recorder on every case of the round-robin-step, trampoline and pool suites (on for each subject's block of runs, and started and stopped around each run on two of them), Metrics on round-robin steps (${TASKS} tasks × ${STEPS} steps per run)`,
  packages: ['@spindle/core', '@spindle/round-robin', '@spindle/trampoline', '@spindle/pool', '@spindle/diagnostics'],
  cases: (options) => buildCases(options),
};
