// Turns what deque-model-worker.mjs recorded into histories and checks each round: a
// linearization under the sequential specification, the deque's real size at the barrier,
// stealHalf as a run of single steals, and RETRY only where a race was really lost.
import { RETRY } from '../dist/index.js';
import { dequeSpec, takenBy } from './deque-spec.js';
import type { DequeEvent, DequeState } from './deque-spec.js';
import { linearize } from './linearizability.js';
import type { Operation } from './linearizability.js';

/** What one thread of deque-model-worker.mjs posts: its records per round (layout there). */
export interface ThreadLog {
  readonly history: readonly (readonly (readonly number[])[])[];
  /** The owner's reading of `deque.size` after each round, when no thread touches it. */
  readonly sizes: readonly number[];
}

export interface RunSummary {
  /** Each a sentence naming the round; empty when everything checked. */
  readonly problems: readonly string[];
  readonly histories: number;
  /** push, pop and steal calls checked (stealHalf counted as its single steals). */
  readonly operations: number;
  /** Items the deque accepted; each was taken exactly once when `problems` is empty. */
  readonly items: number;
  /** Rounds in which calls of different threads overlapped in time. */
  readonly concurrentHistories: number;
  /** Steals that lost a race and said so (RETRY). */
  readonly retries: number;
  /** Pushes refused because the deque was full. */
  readonly full: number;
  /** Times the owner spilled half of its full deque (to the global queue, in the pool). */
  readonly overflows: number;
  /** The largest number of search configurations one history needed. */
  readonly maxExplored: number;
}

const kinds = { push: 1, pop: 2, steal: 3, stealHalf: 4, overflow: 5 } as const;

function toOperation(thread: number, record: readonly number[]): Operation<DequeEvent> | undefined {
  const [kind = 0, invoke = 0, response = 0, a = 0, b = 0] = record;
  if (kind === kinds.push) return { thread, invoke, response, event: { op: 'push', item: a, ok: b === 1 } };
  if (kind === kinds.pop) return { thread, invoke, response, event: { op: 'pop', got: b } };
  if (kind === kinds.steal) return { thread, invoke, response, event: { op: 'steal', got: b } };
  return undefined;
}

/** One line per call, in invocation order: enough to replay a failure by hand. */
export function formatHistory(history: readonly Operation<DequeEvent>[]): string {
  return [...history]
    .sort((x, y) => x.invoke - y.invoke)
    .map(({ thread, invoke, response, event }) => {
      const call = event.op === 'push' ? `push(${event.item}) -> ${event.ok}` : `${event.op}() -> ${event.got}`;
      return `  t${thread} [${invoke}, ${response}] ${call}`;
    })
    .join('\n');
}

const overlaps = (x: Operation<DequeEvent>, y: Operation<DequeEvent>): boolean => x.invoke < y.response && y.invoke < x.response;

/** A steal may give up with RETRY only if another thread took an item while it ran. */
export function unjustifiedRetries(history: readonly Operation<DequeEvent>[]): Operation<DequeEvent>[] {
  return history.filter(
    (op) =>
      op.event.op === 'steal' &&
      op.event.got === RETRY &&
      !history.some((other) => other.thread !== op.thread && takenBy(other.event) !== undefined && overlaps(op, other)),
  );
}

/** stealHalf is a run of single steals: its result is their items, it stops at the first miss. */
function checkBatch(thread: number, record: readonly number[], steals: readonly Operation<DequeEvent>[], capacity: number): string | undefined {
  const [, invoke = 0, response = 0, max = 0, count = 0] = record;
  const items = record.slice(5);
  const inner = steals.filter((op) => op.thread === thread && op.invoke > invoke && op.response < response).sort((x, y) => x.invoke - y.invoke);
  const got = inner.map((op) => (op.event.op === 'steal' ? op.event.got : Number.NaN));
  const hits = got.filter((g) => g >= 0);
  const stoppedAtMiss = got.slice(0, count).every((g) => g >= 0) && got.length <= count + 1;
  if (count > max || count > Math.ceil(capacity / 2) || hits.length !== count || items.join() !== hits.join() || !stoppedAtMiss) {
    return `stealHalf(max ${max}) by t${thread} returned ${count} [${items.join(', ')}] over single steals [${got.join(', ')}]`;
  }
  return undefined;
}

/** Checks every round of a run of one owner (thread 0) and its thieves on a deque of `capacity`. */
export function checkRun(capacity: number, logs: readonly ThreadLog[]): RunSummary {
  const problems: string[] = [];
  const rounds = logs[0]?.history.length ?? 0;
  let state: DequeState = [];
  let operations = 0;
  let items = 0;
  let concurrentHistories = 0;
  let retries = 0;
  let full = 0;
  let overflows = 0;
  let maxExplored = 0;
  const taken = new Map<number, number>();
  for (let round = 0; round < rounds && problems.length < 5; round++) {
    const history: Operation<DequeEvent>[] = [];
    const batches: [number, readonly number[]][] = [];
    logs.forEach((log, thread) => {
      for (const record of log.history[round] ?? []) {
        const op = toOperation(thread, record);
        if (op !== undefined) history.push(op);
        else batches.push([thread, record]);
        if (record[0] === kinds.overflow) overflows++;
      }
    });
    operations += history.length;
    if (history.some((x) => history.some((y) => x.thread !== y.thread && overlaps(x, y)))) concurrentHistories++;
    for (const { event } of history) {
      if (event.op === 'push' && event.ok) items++;
      if (event.op === 'push' && !event.ok) full++;
      if (event.op === 'steal' && event.got === RETRY) retries++;
      const item = takenBy(event);
      if (item !== undefined) taken.set(item, (taken.get(item) ?? 0) + 1);
    }
    const verdict = linearize(history, dequeSpec(capacity, state));
    maxExplored = Math.max(maxExplored, verdict.explored);
    if (!verdict.ok) {
      problems.push(`round ${round}: no linearization from [${state.join(', ')}] (got as far as ${verdict.longest.length} of ${history.length} calls):\n${formatHistory(history)}`);
      continue;
    }
    state = verdict.final;
    const size = logs[0]?.sizes[round];
    if (size !== state.length) problems.push(`round ${round}: the deque holds ${size} items, the specification ${state.length}`);
    for (const op of unjustifiedRetries(history)) problems.push(`round ${round}: t${op.thread} got RETRY at [${op.invoke}, ${op.response}] with no item taken by another thread meanwhile`);
    const steals = history.filter((op) => op.event.op === 'steal');
    for (const [thread, record] of batches) {
      const wrong = checkBatch(thread, record, steals, capacity);
      if (wrong !== undefined) problems.push(`round ${round}: ${wrong}`);
    }
  }
  if (problems.length === 0 && state.length > 0) problems.push(`the last round should have drained the deque; left: [${state.join(', ')}]`);
  const twice = [...taken].filter(([, times]) => times !== 1);
  if (problems.length === 0 && (twice.length > 0 || taken.size !== items)) {
    problems.push(`items accepted ${items}, taken ${taken.size}; taken more than once: ${twice.map(([item]) => item).join(', ')}`);
  }
  return { problems, histories: rounds, operations, items, concurrentHistories, retries, full, overflows, maxExplored };
}
