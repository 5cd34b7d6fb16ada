import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channelNames } from '@spindle/core';
import type { Executor, TaskHandle } from '@spindle/core';
import { Metrics, Recorder } from '@spindle/diagnostics';
import { RoundRobinExecutor } from '@spindle/round-robin';
import { TrampolineExecutor } from '@spindle/trampoline';
import type { BenchCase, Subject, Suite } from '../suite.js';
import { spindleSubject } from '../suite.js';
import { awaitingGenerator, yieldingGenerator } from '../workloads/bodies.js';
import { Countdown } from '../workloads/state-machines.js';
import { spindleAll } from '../workloads/spindle.js';
import { roundRobinWithoutEvents } from '../workloads/without-events.js';

/** Tasks per run. */
const TASKS = 100;
/** Steps per task. */
const STEPS = 100;

const diagnostics = spindleSubject('@spindle/diagnostics');

/** An executor the cost is measured on: its subject name and how to make one. */
interface Target {
  readonly name: 'round-robin' | 'trampoline';
  readonly subject: string;
  readonly make: (label: string) => Executor;
}

const targets: readonly Target[] = [
  { name: 'round-robin', subject: spindleSubject('@spindle/round-robin'), make: (label) => new RoundRobinExecutor({ label }) },
  { name: 'trampoline', subject: spindleSubject('@spindle/trampoline'), make: (label) => new TrampolineExecutor({ label }) },
];

/** What listens to the lifecycle events while a subject runs. */
type Listening = 'nothing' | 'no-op' | 'recorder' | 'metrics';

const ignore = (): void => undefined;

/**
 * A subscriber that does nothing, on the per-kind channels: what publishing every event as
 * an object costs by itself (the Recorder takes executors' events from the batch channel instead).
 */
function noop(on: boolean): void {
  for (const name of Object.values(channelNames)) (on ? subscribe : unsubscribe)(name, ignore);
}

/**
 * A step workload with `listening` subscribed only while this subject's run
 * is in progress, so that the other subjects of the case run with no subscriber. The
 * recorder keeps its default 100 000-event ring, which wraps during the case: the steady
 * state of a long recording.
 */
function subject(target: Target, listening: Listening, spawnOne: (executor: Executor) => TaskHandle<number>): Subject {
  let executor: Executor | undefined;
  const recorder = new Recorder();
  const metrics = new Metrics({ keepSettledTasks: 0 });
  return {
    // Subjects are named by package: the executor alone, core's events alone (a no-op
    // subscriber), and diagnostics on top.
    subject: { nothing: target.subject, 'no-op': spindleSubject('@spindle/core'), recorder: diagnostics, metrics: diagnostics }[listening],
    runs: {
      nothing: 'nothing subscribed',
      'no-op': 'a subscriber that does nothing',
      recorder: 'Recorder on (ring buffer)',
      metrics: 'Metrics on (histograms, gauges)',
    }[listening],
    run: async () => {
      const ex = (executor ??= target.make(`bench:diagnostics:${target.name}:${listening}`));
      if (listening === 'recorder') recorder.start();
      if (listening === 'metrics') metrics.start();
      if (listening === 'no-op') noop(true);
      try {
        return await spindleAll(TASKS, () => spawnOne(ex));
      } finally {
        recorder.stop();
        metrics.stop();
        if (listening === 'no-op') noop(false);
      }
    },
    dispose: () => executor?.close(),
  };
}

/** Subject name of the round-robin build with its event code cut out. */
const withoutEvents = 'spindle/round-robin-without-events';

/**
 * The idle cost: the round-robin executor as built, nothing subscribed, against the same
 * build with its event code cut out (`cutEventCode`), in one process.
 */
function idleCase(name: string, description: string, spawnOne: (executor: Executor) => TaskHandle<number>): BenchCase {
  let cut: Executor | undefined;
  let built: Executor | undefined;
  return {
    opsPerRun: TASKS * STEPS,
    op: 'step',
    expected: TASKS * STEPS,
    baseline: withoutEvents,
    name: `idle/${name}`,
    description: `${description} on round-robin, nothing subscribed: as built vs the same build with the event code cut out`,
    subjects: [
      {
        subject: withoutEvents,
        runs: 'no event window, no listener checks, no wake publishing',
        run: async () => {
          const ex = (cut ??= new (await roundRobinWithoutEvents())({ label: 'bench:idle:cut' }));
          return spindleAll(TASKS, () => spawnOne(ex));
        },
        dispose: () => cut?.close(),
      },
      {
        subject: spindleSubject('@spindle/round-robin'),
        runs: 'as built, nothing subscribed',
        run: () => {
          const ex = (built ??= new RoundRobinExecutor({ label: 'bench:idle:built' }));
          return spindleAll(TASKS, () => spawnOne(ex));
        },
        dispose: () => built?.close(),
      },
    ],
  };
}

function buildCases(): BenchCase[] {
  const resolved = Promise.resolve();
  const common = { opsPerRun: TASKS * STEPS, op: 'step', expected: TASKS * STEPS } as const;
  const workloads: { name: string; description: string; spawnOne: (ex: Executor) => TaskHandle<number>; targets: readonly Target['name'][] }[] = [
    {
      name: 'yield/state-machine',
      description: `${TASKS} state machines × ${STEPS} steps`,
      spawnOne: (ex) => ex.spawn(new Countdown(STEPS)),
      targets: ['round-robin'],
    },
    {
      name: 'yield/generator',
      description: `${TASKS} generators × ${STEPS} steps, bare \`yield\``,
      spawnOne: (ex) => ex.spawn(yieldingGenerator, [STEPS]),
      targets: ['round-robin', 'trampoline'],
    },
    {
      name: 'await/generator',
      description: `${TASKS} generators × ${STEPS} steps, \`yield resolved\` (park and wake)`,
      spawnOne: (ex) => ex.spawn(awaitingGenerator, [STEPS, resolved]),
      targets: ['round-robin', 'trampoline'],
    },
  ];
  const idle = [
    idleCase('yield/state-machine', `${TASKS} state machines × ${STEPS} steps`, (ex) => ex.spawn(new Countdown(STEPS))),
    idleCase('yield/generator', `${TASKS} generators × ${STEPS} steps, bare \`yield\``, (ex) => ex.spawn(yieldingGenerator, [STEPS])),
    idleCase('await/generator', `${TASKS} generators × ${STEPS} steps, \`yield resolved\``, (ex) => ex.spawn(awaitingGenerator, [STEPS, resolved])),
  ];
  const recording = targets.flatMap((target) =>
    workloads
      .filter((workload) => workload.targets.includes(target.name))
      .flatMap(({ name, description, spawnOne }) => {
        // Case names keep their old form on round-robin, so results stay comparable across runs.
        const prefix = target.name === 'round-robin' ? '' : `${target.name}/`;
        const cases: BenchCase[] = [
          {
            ...common,
            baseline: target.subject,
            name: `recorder/${prefix}${name}`,
            description: `${description} on ${target.name}: nothing subscribed vs a no-op subscriber vs the Recorder`,
            subjects: [subject(target, 'nothing', spawnOne), subject(target, 'no-op', spawnOne), subject(target, 'recorder', spawnOne)],
          },
        ];
        if (target.name === 'round-robin') {
          cases.push({
            ...common,
            baseline: target.subject,
            name: `metrics/${prefix}${name}`,
            description: `${description} on ${target.name}: nothing subscribed vs Metrics`,
            subjects: [subject(target, 'nothing', spawnOne), subject(target, 'metrics', spawnOne)],
          });
        }
        return cases;
      }),
  );
  return [...idle, ...recording];
}

/**
 * What diagnostics cost the step benchmarks of round-robin and the trampoline: the same
 * workloads with nothing subscribed (the executors only check `hasSubscribers`), with a
 * subscriber that does nothing on the per-kind channels, with a Recorder (which takes
 * executors' events from core's batch channel) and with Metrics.
 */
export const diagnosticsSuite: Suite = {
  name: 'diagnostics',
  description: `cost of @spindle/diagnostics on the round-robin and trampoline step benchmarks: nothing subscribed (against a build without event code), a no-op subscriber, the Recorder, Metrics (${TASKS} tasks × ${STEPS} steps per run)`,
  packages: ['@spindle/core', '@spindle/round-robin', '@spindle/trampoline', '@spindle/diagnostics'],
  cases: () => buildCases(),
};
