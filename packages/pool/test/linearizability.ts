// A linearizability checker for short concurrent histories (Wing & Gong's search with the
// memoisation of Lowe's "just-in-time linearizability"): is there one total order of the
// operations that keeps every real-time order of the history and that the sequential
// specification accepts, result for result?
//
// Histories are kept short on purpose (tests cut a run into rounds separated by barriers),
// so that the search stays small however many rounds a run checks.

/** One completed operation of a concurrent history. */
export interface Operation<E> {
  /** Which thread called it (operations of one thread never overlap). */
  readonly thread: number;
  /** What was called with what arguments, and what it returned. */
  readonly event: E;
  /** A logical clock read just before the call. */
  readonly invoke: number;
  /** The same clock read just after it returned (greater than `invoke`). */
  readonly response: number;
}

/** A sequential specification: a state machine that says which results are allowed. */
export interface SequentialSpec<S, E> {
  readonly initial: S;
  /** The state after `event` in `state`, or `undefined` if the specification forbids its result there. */
  step(state: S, event: E): S | undefined;
  /** Equal for equal states: the memo key. */
  key(state: S): string;
}

export type Verdict<S, E> =
  | {
      readonly ok: true;
      /** One linearization: the operations in the order they took effect. */
      readonly order: readonly Operation<E>[];
      readonly final: S;
      /** Search configurations visited. */
      readonly explored: number;
    }
  | {
      readonly ok: false;
      /** The longest prefix of a linearization the search found, to show where it got stuck. */
      readonly longest: readonly Operation<E>[];
      readonly explored: number;
    };

/** Throws if the history is malformed (a response not after its invocation, or a thread with overlapping calls). */
export function checkWellFormed(history: readonly Operation<unknown>[]): void {
  const last = new Map<number, number>();
  for (const op of [...history].sort((a, b) => a.invoke - b.invoke)) {
    if (!(op.response > op.invoke)) throw new Error(`malformed history: response ${op.response} not after invocation ${op.invoke}`);
    const previous = last.get(op.thread);
    if (previous !== undefined && previous > op.invoke) throw new Error(`malformed history: thread ${op.thread} has overlapping calls`);
    last.set(op.thread, op.response);
  }
}

/**
 * Searches for a linearization of `history` under `spec`. An operation may take effect next
 * when no other operation still to place returned before it was called; each candidate is
 * tried against the specification, depth first. Configurations (set of placed operations,
 * state) that failed once are remembered, so none is explored twice.
 */
export function linearize<S, E>(history: readonly Operation<E>[], spec: SequentialSpec<S, E>): Verdict<S, E> {
  checkWellFormed(history);
  const ops = [...history].sort((a, b) => a.invoke - b.invoke);
  const n = ops.length;
  const placed = new Uint8Array(n);
  const order: Operation<E>[] = [];
  let longest: Operation<E>[] = [];
  const failed = new Set<string>();
  let explored = 0;
  let final: S = spec.initial;

  const search = (state: S): boolean => {
    if (order.length === n) {
      final = state;
      return true;
    }
    const key = `${placed.join('')}|${spec.key(state)}`;
    if (failed.has(key)) return false;
    explored++;
    // Earliest response among the operations still to place: whatever was called after it
    // must come after it.
    let horizon = Infinity;
    for (let i = 0; i < n; i++) if (placed[i] === 0) horizon = Math.min(horizon, ops[i]?.response ?? Infinity);
    for (let i = 0; i < n; i++) {
      const op = ops[i];
      if (op === undefined) continue;
      if (op.invoke > horizon) break;
      if (placed[i] === 1) continue;
      const next = spec.step(state, op.event);
      if (next === undefined) continue;
      placed[i] = 1;
      order.push(op);
      if (order.length > longest.length) longest = [...order];
      if (search(next)) return true;
      order.pop();
      placed[i] = 0;
    }
    failed.add(key);
    return false;
  };

  return search(spec.initial) ? { ok: true, order: [...order], final, explored } : { ok: false, longest, explored };
}
