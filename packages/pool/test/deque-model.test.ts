// Model check of the work-stealing deque: one owner and three thieves on real threads at
// tiny capacities, every call recorded against a shared logical clock, each round's history
// checked for linearizability against the sequential specification in deque-spec.ts.
//
// SPINDLE_DEQUE_SEED=<n> replays a run's programs and delays (the threads' interleaving is
// the machine's, so a replay is likely, not certain, to fail the same way);
// SPINDLE_DEQUE_ROUNDS=<n> runs longer (default 2,000 rounds per test).
import { randomInt } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { EMPTY, RETRY, WorkStealingDeque } from '../dist/index.js';
import { checkRun, unjustifiedRetries } from './deque-history.js';
import type { RunSummary, ThreadLog } from './deque-history.js';
import { dequeSpec } from './deque-spec.js';
import type { DequeEvent } from './deque-spec.js';
import { linearize } from './linearizability.js';
import type { Operation } from './linearizability.js';

const seed = Number(process.env.SPINDLE_DEQUE_SEED ?? randomInt(1, 2 ** 31));
const rounds = Number(process.env.SPINDLE_DEQUE_ROUNDS ?? 2_000);
const thieves = 3;

function thread(data: Record<string, unknown>): Promise<ThreadLog> {
  const worker = new Worker(new URL('./deque-model-worker.mjs', import.meta.url), { workerData: data, execArgv: [] });
  return new Promise<ThreadLog>((resolve, reject) => {
    worker.once('message', (log: ThreadLog) => {
      resolve(log);
    });
    worker.once('error', reject);
  });
}

async function run(capacity: number, runSeed: number, chaos: boolean, roundCount: number, broken = false): Promise<readonly ThreadLog[]> {
  const deque = WorkStealingDeque.create(capacity);
  const shared = { deque: deque.buffer, clock: new SharedArrayBuffer(4), barrier: new SharedArrayBuffer(8), parties: thieves + 1, rounds: roundCount, chaos, broken };
  return Promise.all([
    thread({ ...shared, role: 'owner', seed: runSeed }),
    ...Array.from({ length: thieves }, (_, i) => thread({ ...shared, role: 'thief', seed: runSeed + 7919 * (i + 1) })),
  ]);
}

const describeSummary = (capacity: number, chaos: boolean, s: RunSummary): string =>
  `capacity ${capacity}${chaos ? ', delays inside calls' : ''}: ${s.histories} histories, ${s.operations} calls, ${s.items} items, ` +
  `${s.concurrentHistories} histories with overlapping calls, ${s.retries} RETRY, ${s.full} full, ${s.overflows} overflows, at most ${s.maxExplored} search configurations`;

describe('WorkStealingDeque against its sequential specification, on 4 threads', () => {
  for (const capacity of [2, 4]) {
    for (const chaos of [false, true]) {
      it(`capacity ${capacity}${chaos ? ', random delays inside the calls' : ''}: every round linearizable, every item taken exactly once (seed printed on failure)`, async () => {
        const runSeed = (seed + capacity * 104_729 + (chaos ? 1 : 0)) | 0;
        const logs = await run(capacity, runSeed, chaos, rounds);
        const summary = checkRun(capacity, logs);
        expect(summary.problems, `SPINDLE_DEQUE_SEED=${seed} (this run's seed ${runSeed})`).toEqual([]);
        expect(summary.histories).toBe(rounds);
        // With delays inside the calls (a timed wait gives the core away mid-call) the threads
        // surely overlapped; without, how often they did is reported.
        if (chaos) expect(summary.concurrentHistories).toBeGreaterThan(0);
        // The figures the reliability table (docs/reliability.md) quotes.
        console.log(describeSummary(capacity, chaos, summary));
      });
    }
  }
});

/** A history written by hand: [thread, invoke, response, event]. */
const history = (...ops: (readonly [number, number, number, DequeEvent])[]): Operation<DequeEvent>[] =>
  ops.map(([thread, invoke, response, event]) => ({ thread, invoke, response, event }));
const push = (item: number, ok = true): DequeEvent => ({ op: 'push', item, ok });
const pop = (got: number): DequeEvent => ({ op: 'pop', got });
const steal = (got: number): DequeEvent => ({ op: 'steal', got });

describe('the linearizability checker', () => {
  it('accepts a race for the last item that the thief won while the owner saw EMPTY', () => {
    const h = history([0, 0, 1, push(1)], [0, 2, 7, pop(EMPTY)], [1, 3, 5, steal(1)]);
    const verdict = linearize(h, dequeSpec(2));
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.order.map((op) => op.event.op)).toEqual(['push', 'steal', 'pop']);
  });

  it('rejects an item taken twice', () => {
    const h = history([0, 0, 1, push(1)], [0, 2, 5, pop(1)], [1, 3, 4, steal(1)]);
    expect(linearize(h, dequeSpec(2)).ok).toBe(false);
  });

  it('rejects an item stolen that was never pushed', () => {
    expect(linearize(history([0, 0, 1, push(1)], [1, 2, 3, steal(9)]), dequeSpec(4)).ok).toBe(false);
  });

  it('rejects order violations: a steal that takes the newest, a pop that takes the oldest', () => {
    const pushed = [[0, 0, 1, push(1)], [0, 2, 3, push(2)]] as const;
    expect(linearize(history(...pushed, [1, 4, 5, steal(2)]), dequeSpec(4)).ok).toBe(false);
    expect(linearize(history(...pushed, [0, 4, 5, pop(1)]), dequeSpec(4)).ok).toBe(false);
    // A steal may get the newer item when another thief's steal of the older one ran within it.
    expect(linearize(history(...pushed, [1, 4, 7, steal(2)], [2, 5, 6, steal(1)]), dequeSpec(4)).ok).toBe(true);
  });

  it('rejects a real-time violation: EMPTY from a steal that began after a push completed, with nothing taken', () => {
    expect(linearize(history([0, 0, 1, push(1)], [1, 2, 3, steal(EMPTY)]), dequeSpec(2)).ok).toBe(false);
    // Overlapping the push, EMPTY is fine.
    expect(linearize(history([0, 0, 3, push(1)], [1, 1, 2, steal(EMPTY)]), dequeSpec(2)).ok).toBe(true);
  });

  it('rejects a wrong capacity answer: full with room left, accepted beyond capacity', () => {
    expect(linearize(history([0, 0, 1, push(1)], [0, 2, 3, push(2, false)]), dequeSpec(2)).ok).toBe(false);
    expect(linearize(history([0, 0, 1, push(1)], [0, 2, 3, push(2)], [0, 4, 5, push(3)]), dequeSpec(2)).ok).toBe(false);
  });

  it('flags a RETRY that no other thread caused', () => {
    const h = history([0, 0, 1, push(1)], [1, 2, 3, steal(RETRY)], [2, 4, 5, steal(1)]);
    expect(linearize(h, dequeSpec(2)).ok).toBe(true);
    expect(unjustifiedRetries(h)).toHaveLength(1);
    expect(unjustifiedRetries(history([0, 0, 1, push(1)], [1, 2, 5, steal(RETRY)], [2, 3, 4, steal(1)]))).toEqual([]);
  });

  it('refuses malformed histories', () => {
    expect(() => linearize(history([0, 1, 1, push(1)]), dequeSpec(2))).toThrow(/malformed/);
    expect(() => linearize(history([0, 0, 3, push(1)], [0, 2, 4, pop(1)]), dequeSpec(2))).toThrow(/malformed/);
  });

  it('rejects real recorded rounds once one result is changed into a second taking of an item', async () => {
    const logs = await run(4, seed, false, 200);
    let mutated = 0;
    let caught = 0;
    for (let round = 0; round < 200 && mutated < 50; round++) {
      const owner = logs[0]?.history[round] ?? [];
      // Two successful pops in a round: make the second return the first one's item.
      const pops = owner.map((record, i) => [record, i] as const).filter(([record]) => record[0] === 2 && (record[4] ?? -1) >= 0);
      const [first, second] = pops;
      if (first === undefined || second === undefined) continue;
      const changed = [...owner];
      changed[second[1]] = [...second[0].slice(0, 4), first[0][4] ?? 0];
      const tampered = logs.map((log, t) => (t === 0 ? { ...log, history: log.history.map((records, r) => (r === round ? changed : records)) } : log));
      mutated++;
      const summary = checkRun(4, tampered);
      if (summary.problems.some((problem) => problem.startsWith(`round ${round}: no linearization`))) caught++;
    }
    expect(mutated).toBeGreaterThan(0);
    expect(caught).toBe(mutated);
  });

  it('catches a deque whose steal moves top without a compare-and-swap (the same harness, a broken steal)', async () => {
    const summary = checkRun(2, await run(2, seed, true, 2_000, true));
    expect(summary.problems.length, `SPINDLE_DEQUE_SEED=${seed}`).toBeGreaterThan(0);
  });
});
