import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { taskEventProblems } from '@spindle/conformance';
import type { TaskEvent } from '@spindle/core';
import { runNodeChild, summaryOf } from '@spindle/executor-tests/run-node-child';

// An application that imports the ES module executors while something it depends on
// `require`s @spindle/core gets two copies of core in one process. two-builds-child.mjs
// sets that up against the built packages in a fresh `node` (Vitest would load the ES
// modules its own way) and reports what it saw; the tests here judge it.

type ErrorKind = 'TaskCancelledError' | 'InvalidTaskError' | 'ExecutorClosedError';
const errorKinds: readonly ErrorKind[] = ['TaskCancelledError', 'InvalidTaskError', 'ExecutorClosedError'];

interface Identity {
  readonly name: string;
  /** `error instanceof <build> <class>`, keyed `esm TaskCancelledError` and so on. */
  readonly answers: Readonly<Record<string, boolean>>;
}

interface StreamPhase {
  readonly subscriber: 'esm' | 'cjs';
  readonly clock: 'precise' | 'coarse';
  /** Every event the subscriber got, in the order it got them. */
  readonly events: readonly TaskEvent[];
  readonly roots: readonly { readonly executor: string; readonly id: number }[];
  /** Ids of tasks that each waited for the one before, alternately on each build's executor. */
  readonly relay: readonly number[];
  readonly labels: readonly string[];
}

interface Report {
  readonly loaded: { readonly esm: string; readonly cjs: string; readonly twoCopies: boolean };
  /** By the executor that made them (`esm pool`, `cjs round-robin`, ...), then by class. */
  readonly errors: Readonly<Record<string, Readonly<Record<ErrorKind, Identity>>>>;
  readonly ids: { readonly ids: readonly { readonly origin: string; readonly id: number }[]; readonly allTwo: boolean };
  readonly streams: readonly StreamPhase[];
}

const origins = ['esm round-robin', 'esm trampoline', 'esm pool', 'cjs round-robin'];
let report: Report;

beforeAll(async () => {
  const script = fileURLToPath(new URL('./two-builds-child.mjs', import.meta.url));
  report = summaryOf(await runNodeChild([], script, [], 60_000)) as Report;
}, 90_000);

describe('the ES module executors and the CommonJS core in one process', () => {
  it('really are two copies of core: the ES module build and the CommonJS build', () => {
    expect(report.loaded.esm).toMatch(/packages\/core\/dist\/index\.js$/);
    expect(report.loaded.cjs).toMatch(/packages\/core\/dist\/index\.cjs$/);
    expect(report.loaded.twoCopies, 'the two builds have classes of their own').toBe(true);
  });

  it("instanceof holds for Spindle's errors whichever build made them, both ways, and only for their own class", () => {
    expect(Object.keys(report.errors).sort()).toEqual([...origins].sort());
    for (const origin of origins) {
      for (const kind of errorKinds) {
        const identity = report.errors[origin]?.[kind];
        expect(identity?.name, `${origin} made a ${kind}`).toBe(kind);
        for (const build of ['esm', 'cjs']) {
          expect(identity?.answers[`${build} SpindleError`], `${origin}'s ${kind} instanceof the ${build} SpindleError`).toBe(true);
          for (const other of errorKinds) {
            expect(identity?.answers[`${build} ${other}`], `${origin}'s ${kind} instanceof the ${build} ${other}`).toBe(other === kind);
          }
        }
      }
    }
  });

  it('task ids from both builds never collide', () => {
    const { ids, allTwo } = report.ids;
    expect(allTwo, 'every task ran').toBe(true);
    expect(ids).toHaveLength(400);
    expect(new Set(ids.map(({ id }) => id)).size, 'distinct ids').toBe(ids.length);
    expect(new Set(ids.map(({ origin }) => origin))).toEqual(new Set(origins));
  });

  it('the stream was watched from each build, with the precise clock and with the coarse clock held by the other build', () => {
    expect(report.streams.map(({ subscriber, clock }) => `${subscriber} ${clock}`)).toEqual(['esm precise', 'esm coarse', 'cjs precise', 'cjs coarse']);
  });

  for (const [index, title] of ['esm precise', 'esm coarse', 'cjs precise', 'cjs coarse'].entries()) {
    describe(`a stream subscriber of the ${title.replace(' ', ' build, ')} clock`, () => {
      const phase = (): StreamPhase => {
        const found = report.streams[index];
        if (found === undefined) throw new Error(`no stream phase ${title}`);
        return found;
      };

      it('sees each event of every executor of both builds exactly once, in lifecycle order', () => {
        const { events, roots, labels } = phase();
        expect(labels).toHaveLength(origins.length);
        for (const label of labels) {
          const own = events.filter((event) => event.executor === label);
          expect(own.length, `events of ${label}`).toBeGreaterThan(0);
          // A duplicated event breaks the grammar (a second spawn, a settle after settle).
          expect(taskEventProblems(own), label).toEqual([]);
          const settled = new Set(own.filter((event) => event.kind === 'settle').map((event) => event.taskId));
          for (const root of roots.filter((each) => each.executor === label)) {
            expect(settled.has(root.id), `task ${String(root.id)} of ${label} settled in the stream`).toBe(true);
          }
        }
      });

      it("event times never go backwards: per executor and thread, and from one build's settle to the other build's wake", () => {
        const { events, relay } = phase();
        const last = new Map<string, number>();
        const backwards: string[] = [];
        for (const event of events) {
          const key = `${event.executor} thread ${String(event.thread)}`;
          const before = last.get(key);
          if (before !== undefined && event.time < before) backwards.push(`${key}: ${event.kind} of task ${String(event.taskId)}`);
          last.set(key, event.time);
        }
        expect(backwards).toEqual([]);
        expect(relay).toHaveLength(20);
        for (let i = 1; i < relay.length; i++) {
          const settle = events.find((event) => event.taskId === relay[i - 1] && event.kind === 'settle');
          const wake = events.find((event) => event.taskId === relay[i] && event.kind === 'wake');
          expect(settle && wake, `the settle of relay task ${String(i - 1)} and the wake of task ${String(i)}`).toBeTruthy();
          if (settle !== undefined && wake !== undefined) {
            expect(wake.time, `relay hop ${String(i)}: woken after what it waited for settled`).toBeGreaterThanOrEqual(settle.time);
          }
        }
      });
    });
  }
});
