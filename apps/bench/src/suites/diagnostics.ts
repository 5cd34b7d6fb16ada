import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { channelNames } from '@spindle/core';
import type { TaskHandle } from '@spindle/core';
import { Metrics, Recorder } from '@spindle/diagnostics';
import { RoundRobinExecutor } from '@spindle/round-robin';
import type { BenchCase, Subject, Suite } from '../suite.js';
import { spindleSubject } from '../suite.js';
import { awaitingGenerator, yieldingGenerator } from '../workloads/bodies.js';
import { Countdown } from '../workloads/state-machines.js';
import { spindleAll } from '../workloads/spindle.js';

/** Tasks per run. */
const TASKS = 100;
/** Steps per task. */
const STEPS = 100;

const roundRobin = spindleSubject('@spindle/round-robin');
const diagnostics = spindleSubject('@spindle/diagnostics');

/** What listens to the lifecycle events while a subject runs. */
type Listening = 'nothing' | 'no-op' | 'recorder' | 'metrics';

const ignore = (): void => undefined;

/** A subscriber that does nothing: what publishing the events costs by itself, the floor under any recorder. */
function noop(on: boolean): void {
  for (const name of Object.values(channelNames)) (on ? subscribe : unsubscribe)(name, ignore);
}

/**
 * The round-robin step workload with `listening` subscribed only while this subject's run
 * is in progress, so that the other subjects of the case run with no subscriber. The
 * recorder keeps its default 100 000-event ring, which wraps during the case: the steady
 * state of a long recording.
 */
function subject(listening: Listening, spawnOne: (executor: RoundRobinExecutor) => TaskHandle<number>): Subject {
  let executor: RoundRobinExecutor | undefined;
  const recorder = new Recorder();
  const metrics = new Metrics({ keepSettledTasks: 0 });
  return {
    // Subjects are named by package: the executor alone, core's events alone (a no-op
    // subscriber), and diagnostics on top.
    subject: { nothing: roundRobin, 'no-op': spindleSubject('@spindle/core'), recorder: diagnostics, metrics: diagnostics }[listening],
    runs: {
      nothing: 'nothing subscribed',
      'no-op': 'a subscriber that does nothing',
      recorder: 'Recorder on (ring buffer)',
      metrics: 'Metrics on (histograms, gauges)',
    }[listening],
    run: async () => {
      const ex = (executor ??= new RoundRobinExecutor({ label: `bench:diagnostics:${listening}` }));
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

function buildCases(): BenchCase[] {
  const resolved = Promise.resolve();
  const common = { opsPerRun: TASKS * STEPS, op: 'step', expected: TASKS * STEPS, baseline: roundRobin } as const;
  const workloads: { name: string; description: string; spawnOne: (ex: RoundRobinExecutor) => TaskHandle<number> }[] = [
    {
      name: 'yield/state-machine',
      description: `${TASKS} state machines × ${STEPS} steps on round-robin`,
      spawnOne: (ex) => ex.spawn(new Countdown(STEPS)),
    },
    {
      name: 'yield/generator',
      description: `${TASKS} generators × ${STEPS} steps, bare \`yield\`, on round-robin`,
      spawnOne: (ex) => ex.spawn(yieldingGenerator, [STEPS]),
    },
    {
      name: 'await/generator',
      description: `${TASKS} generators × ${STEPS} steps, \`yield resolved\` (park and wake), on round-robin`,
      spawnOne: (ex) => ex.spawn(awaitingGenerator, [STEPS, resolved]),
    },
  ];
  return workloads.flatMap(({ name, description, spawnOne }) => [
    {
      ...common,
      name: `recorder/${name}`,
      description: `${description}: nothing subscribed vs a no-op subscriber vs the Recorder`,
      subjects: [subject('nothing', spawnOne), subject('no-op', spawnOne), subject('recorder', spawnOne)],
    },
    {
      ...common,
      name: `metrics/${name}`,
      description: `${description}: nothing subscribed vs Metrics`,
      subjects: [subject('nothing', spawnOne), subject('metrics', spawnOne)],
    },
  ]);
}

/**
 * What diagnostics cost the round-robin step benchmark: the same workloads with nothing
 * subscribed (the executors only check `hasSubscribers`), with a Recorder and with Metrics.
 */
export const diagnosticsSuite: Suite = {
  name: 'diagnostics',
  description: `cost of @spindle/diagnostics on the round-robin step benchmark (${TASKS} tasks × ${STEPS} steps per run)`,
  packages: ['@spindle/core', '@spindle/round-robin', '@spindle/diagnostics'],
  cases: () => buildCases(),
};
