// Property-based tests for executors that run task references (the pool, bullmq): random
// programs of spawn, join, yield, cancel, throw and close, interpreted where the executor
// runs its tasks by a task reference (property-fixtures.mjs), which reports what each body
// did. Checked: every task settles once, every started body runs once and its `finally`
// once, and each root's outcome is one the contract allows.
//
// TypeScript that Vitest compiles when a test imports it; `vitest` and the linters come from
// the workspace root.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TaskCancelledError, taskRef } from '@spindle/core';
import type { Executor } from '@spindle/core';

/** What {@link describeReferenceProperties} needs of an executor. */
export interface ReferencePropertiesOptions {
  /** Makes an executor that runs task references; one serves many programs, and the close-mode test makes one per program. */
  readonly make: () => Executor;
  /** Programs run on one executor (`SPINDLE_PROPERTY_RUNS` overrides it). */
  readonly runs: number;
  /** Programs run while the executor closes, a fresh executor each. */
  readonly closeRuns: number;
  /** Milliseconds each of the two tests may take. */
  readonly timeout: number;
}

type Op =
  | { readonly op: 'yield' }
  | { readonly op: 'spawn'; readonly child: number; readonly joined: boolean }
  | { readonly op: 'join'; readonly child: number; readonly rethrow: boolean }
  | { readonly op: 'cancel'; readonly child: number }
  | { readonly op: 'throw'; readonly nonError: boolean };

interface Node {
  readonly ops: readonly Op[];
  readonly children: readonly Node[];
}

interface Program {
  readonly roots: readonly Node[];
  readonly cancelAtSpawn: readonly number[];
  readonly close: 'drain' | 'cancel' | 'none';
}

type Report =
  | { readonly kind: 'start' | 'finally'; readonly path: string }
  | { readonly kind: 'complete'; readonly path: string; readonly how: 'return' | 'throw'; readonly own?: boolean; readonly message?: string }
  | { readonly kind: 'joined-error'; readonly path: string; readonly child: string; readonly message: string; readonly name: string };

const interpret = taskRef(new URL('./property-fixtures.mjs', import.meta.url), 'interpret');

function opsFor(childCount: number, seed: readonly number[]): Op[] {
  const ops: Op[] = [];
  const spawned: { child: number; joined: boolean }[] = [];
  let next = 0;
  for (const n of seed) {
    const choice = n % 10;
    if (choice <= 2 && next < childCount) {
      const joined = n % 3 !== 0;
      ops.push({ op: 'spawn', child: next, joined });
      spawned.push({ child: next, joined });
      next++;
    } else if (choice <= 4) {
      ops.push({ op: 'yield' });
    } else if (choice <= 6) {
      const joined = spawned.filter((s) => s.joined);
      const pick = joined[n % Math.max(1, joined.length)];
      if (pick !== undefined) ops.push({ op: 'join', child: pick.child, rethrow: n % 2 === 0 });
    } else if (choice === 7) {
      const pick = spawned[n % Math.max(1, spawned.length)];
      if (pick !== undefined) ops.push({ op: 'cancel', child: pick.child });
    } else if (Math.floor(n / 10) % 3 === 0) {
      ops.push({ op: 'throw', nonError: n % 4 === 1 });
    }
  }
  for (; next < childCount; next++) ops.push({ op: 'spawn', child: next, joined: false });
  return ops;
}

function nodeArbitrary(depth: number): fc.Arbitrary<Node> {
  const children: fc.Arbitrary<Node[]> = depth === 0 ? fc.constant([]) : fc.array(nodeArbitrary(depth - 1), { maxLength: 3 });
  return fc.record({ children, seed: fc.array(fc.nat(1000), { maxLength: 10 }) }).map(({ children: kids, seed }) => ({ children: kids, ops: opsFor(kids.length, seed) }));
}

const programArbitrary = (closes: readonly Program['close'][]): fc.Arbitrary<Program> =>
  fc
    .record({ roots: fc.array(nodeArbitrary(2), { minLength: 1, maxLength: 3 }), cancelAtSpawn: fc.array(fc.nat(2), { maxLength: 1 }), close: fc.constantFrom(...closes) })
    .map((p) => ({ ...p, cancelAtSpawn: p.cancelAtSpawn.filter((i) => i < p.roots.length) }));

const hasOp = (node: Node, kinds: readonly Op['op'][]): boolean => node.ops.some((op) => kinds.includes(op.op)) || node.children.some((c) => hasOp(c, kinds));

/** Listens to the workers' reports. */
class Reports {
  readonly starts = new Map<string, number>();
  readonly finallies = new Map<string, number>();
  readonly completions = new Map<string, Extract<Report, { kind: 'complete' }>>();
  private readonly channel = new BroadcastChannel('spindle-reference-property-reports');
  private check: (() => void) | undefined;

  constructor() {
    this.channel.onmessage = (event: unknown) => {
      const report = (event as { readonly data: Report }).data;
      if (report.kind === 'start') this.starts.set(report.path, (this.starts.get(report.path) ?? 0) + 1);
      else if (report.kind === 'finally') this.finallies.set(report.path, (this.finallies.get(report.path) ?? 0) + 1);
      else if (report.kind === 'complete') this.completions.set(report.path, report);
      this.check?.();
    };
  }

  /**
   * Resolves once the bodies in `ran` and every body heard to start have reported their
   * `finally` (reports travel apart from results; one thread's reports stay in order).
   */
  quiet(prefix: string, ran: readonly string[]): Promise<void> {
    const done = (): boolean =>
      ran.every((p) => this.finallies.has(p)) && [...this.starts.keys()].filter((p) => p.startsWith(prefix)).every((p) => this.finallies.has(p));
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      this.check = () => {
        if (done()) {
          this.check = undefined;
          resolve();
        }
      };
    });
  }

  close(): void {
    this.channel.close();
  }
}

let programs = 0;

async function runProgram(executor: Executor, program: Program, reports: Reports): Promise<void> {
  const prefix = `p${++programs}:`;
  const handles = program.roots.map((root, i) => executor.spawn(interpret as never, [root, `${prefix}${i}`] as never));
  const reasons = new Map<number, unknown>();
  for (const i of program.cancelAtSpawn) {
    const reason = new Error(`cancel root ${i} by the test`);
    reasons.set(i, reason);
    handles[i]?.cancel(reason);
  }
  const closeReason = new Error('closed by the test');
  const closing = program.close === 'none' ? undefined : executor.close(program.close === 'cancel' ? { mode: 'cancel', reason: closeReason } : { mode: 'drain' });
  const outcomes = await Promise.allSettled(handles);
  await closing;
  await reports.quiet(
    prefix,
    outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [`${prefix}${i}`] : [])),
  );
  for (const [path, count] of reports.starts) {
    if (!path.startsWith(prefix)) continue;
    expect(count, `${path} started`).toBe(1);
    expect(reports.finallies.get(path), `${path} finally`).toBe(1);
  }
  outcomes.forEach((outcome, i) => {
    const root = program.roots[i];
    if (root === undefined) return;
    const path = `${prefix}${i}`;
    const completion = reports.completions.get(path);
    const external = reasons.has(i) || program.close === 'cancel';
    if (outcome.status === 'fulfilled') {
      expect(outcome.value).toBe(path);
      expect(completion?.how).toBe('return');
      return;
    }
    const reason: unknown = outcome.reason;
    if (completion?.how === 'throw' && completion.own === true) {
      // A body that threw its own error rejects with it, whatever else happened.
      expect(reason instanceof Error ? reason.message : reason).toBe(completion.message);
      return;
    }
    // Something in the program or the test must explain a failure.
    expect(external || hasOp(root, ['throw', 'cancel']), `${path} failed for no reason: ${String(reason)}`).toBe(true);
    if (reason instanceof TaskCancelledError && reason.taskId === handles[i]?.id) {
      // Nothing inside a program cancels a root: the cause is the test's own reason.
      expect(external).toBe(true);
      expect([reasons.get(i), closeReason]).toContain(reason.cause);
    }
  });
}

/** Registers the property-based tests for one executor that runs task references. */
export function describeReferenceProperties(name: string, options: ReferencePropertiesOptions): void {
  const { make, runs, closeRuns, timeout } = options;

  describe(`${name}: random programs against the contract`, () => {
    it('every task settles once, every started body runs once with one finally, every root outcome is allowed', { timeout }, async () => {
      const executor = make();
      const reports = new Reports();
      try {
        await fc.assert(
          fc.asyncProperty(programArbitrary(['none']), (program) => runProgram(executor, program, reports)),
          { numRuns: Number(process.env.SPINDLE_PROPERTY_RUNS ?? runs) },
        );
      } finally {
        reports.close();
        await executor.close();
      }
    });

    it('the same while the executor closes, in drain or cancel mode (a fresh executor per program)', { timeout }, async () => {
      const reports = new Reports();
      try {
        await fc.assert(
          fc.asyncProperty(programArbitrary(['drain', 'cancel']), (program) => runProgram(make(), program, reports)),
          { numRuns: closeRuns },
        );
      } finally {
        reports.close();
      }
    });
  });
}
