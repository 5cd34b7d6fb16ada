/**
 * Checks on a global step log: the sequence of task indices in the order their steps
 * ran, one entry per step. Each returns a list of problems (empty when the log is fine),
 * so a failing test shows exactly where the executor went wrong.
 */

/** Reads the entries of a shared step log (slot 0 holds the count). */
export function readStepLog(log: Int32Array): number[] {
  const count = Atomics.load(log, 0);
  return Array.from(log.subarray(1, 1 + count));
}

/** Each task `i` must have taken exactly `steps[i]` steps. */
export function stepCountProblems(log: readonly number[], steps: readonly number[]): string[] {
  const counted = new Array<number>(steps.length).fill(0);
  const problems: string[] = [];
  for (const who of log) {
    if (who < 0 || who >= steps.length) problems.push(`the log names task ${who}, which was not spawned`);
    else counted[who] = (counted[who] ?? 0) + 1;
  }
  steps.forEach((expected, who) => {
    if (counted[who] !== expected) problems.push(`task ${who} took ${counted[who] ?? 0} steps, expected ${expected}`);
  });
  return problems;
}

/** Tasks `0..n-1` were spawned in that order; their first steps must come in that order. */
export function startOrderProblems(log: readonly number[]): string[] {
  const firsts: number[] = [];
  const seen = new Set<number>();
  for (const who of log) {
    if (!seen.has(who)) {
      seen.add(who);
      firsts.push(who);
    }
  }
  const problems: string[] = [];
  firsts.forEach((who, position) => {
    if (who !== position) problems.push(`task ${who} started ${ordinal(position + 1)}, but it was spawned ${ordinal(who + 1)}`);
  });
  return problems;
}

/**
 * The round-robin guarantee: with `tasks` ready tasks, none waits for more than `tasks - 1`
 * steps of others between two of its own steps.
 */
export function roundRobinProblems(log: readonly number[], tasks: number): string[] {
  const last = new Map<number, number>();
  const problems: string[] = [];
  log.forEach((who, position) => {
    const previous = last.get(who);
    if (previous !== undefined) {
      const waited = position - previous - 1;
      if (waited > tasks - 1) {
        problems.push(
          `task ${who} waited ${waited} steps of others before its step at log position ${position} (at most ${tasks - 1} with ${tasks} tasks)`,
        );
      }
    }
    last.set(who, position);
  });
  return problems;
}

function ordinal(n: number): string {
  const suffix = n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th';
  return `${n}${suffix}`;
}
