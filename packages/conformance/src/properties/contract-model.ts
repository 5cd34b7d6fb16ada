// Property-based tests of the task contract: random programs of spawn, join, yield,
// cancel, throw and close, run on an executor and checked against the contract's rules.
// It uses only core's public API, so the programs run unchanged on any executor that
// accepts closures.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import fc from 'fast-check';
import { TaskCancelledError, channelNames } from '@spindle/core';
import type { Executor, SettleEvent, TaskContext, TaskHandle } from '@spindle/core';

/** One instruction of a task's script. Child indices are positions in the node's `children`. */
export type Op =
  | { readonly op: 'yield' }
  | { readonly op: 'spawn'; readonly child: number; readonly joined: boolean }
  | { readonly op: 'join'; readonly child: number; readonly rethrow: boolean }
  | { readonly op: 'cancel'; readonly child: number }
  | { readonly op: 'cancelRoot'; readonly root: number }
  | { readonly op: 'throw'; readonly nonError: boolean };

/** A task of a program: how its body is written and what it does. */
export interface Node {
  readonly kind: 'generator' | 'async';
  readonly ops: readonly Op[];
  readonly children: readonly Node[];
}

/** A whole program: root tasks, what the test does to them from outside, and how it closes. */
export interface Program {
  readonly roots: readonly Node[];
  /** Roots cancelled by the test right after spawning. */
  readonly cancelAtSpawn: readonly number[];
  readonly close: 'drain' | 'cancel' | 'none';
}

const maxChildren = 3;

function nodeArbitrary(depth: number): fc.Arbitrary<Node> {
  const children: fc.Arbitrary<Node[]> = depth === 0 ? fc.constant([]) : fc.array(nodeArbitrary(depth - 1), { maxLength: maxChildren });
  return fc
    .record({ kind: fc.constantFrom<Node['kind']>('generator', 'async'), children, seed: fc.array(fc.nat(1000), { maxLength: 12 }), rethrows: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }) })
    .map(({ kind, children: kids, seed, rethrows }) => ({ kind, children: kids, ops: opsFor(kids.length, seed, rethrows) }));
}

/** Turns random numbers into a well-formed script: spawns before joins and cancels. */
function opsFor(childCount: number, seed: readonly number[], rethrows: readonly boolean[]): Op[] {
  const ops: Op[] = [];
  const spawned: { child: number; joined: boolean }[] = [];
  let next = 0;
  seed.forEach((n, i) => {
    const choice = n % 10;
    const rethrow = rethrows[i] ?? false;
    if (choice <= 2 && next < childCount) {
      const joined = n % 3 !== 0;
      ops.push({ op: 'spawn', child: next, joined });
      spawned.push({ child: next, joined });
      next++;
    } else if (choice <= 4) {
      ops.push({ op: 'yield' });
    } else if (choice <= 6) {
      const candidates = spawned.filter((s) => s.joined);
      const pick = candidates[n % Math.max(1, candidates.length)];
      if (pick !== undefined) ops.push({ op: 'join', child: pick.child, rethrow });
    } else if (choice === 7) {
      const pick = spawned[n % Math.max(1, spawned.length)];
      if (pick !== undefined) ops.push({ op: 'cancel', child: pick.child });
    } else if (choice === 8) {
      if (Math.floor(n / 10) % 4 === 0) ops.push({ op: 'cancelRoot', root: Math.floor(n / 40) % 4 });
    } else if (Math.floor(n / 10) % 3 === 0) {
      ops.push({ op: 'throw', nonError: rethrow });
    }
  });
  // Unspawned children are spawned at the end, detached, so every node of the tree runs.
  for (; next < childCount; next++) ops.push({ op: 'spawn', child: next, joined: false });
  return ops;
}

/** Random programs: up to 4 roots, trees up to 3 deep. */
export const programArbitrary: fc.Arbitrary<Program> = fc
  .record({
    roots: fc.array(nodeArbitrary(2), { minLength: 1, maxLength: 4 }),
    cancelAtSpawn: fc.array(fc.nat(3), { maxLength: 2 }),
    close: fc.constantFrom<Program['close']>('drain', 'cancel', 'none'),
  })
  .map((p) => ({ ...p, cancelAtSpawn: p.cancelAtSpawn.filter((i) => i < p.roots.length) }));

/** What happened to one node of the program. */
interface Record_ {
  readonly path: string;
  readonly parent: Record_ | undefined;
  readonly node: Node;
  taskId: number | undefined;
  started: number;
  finallyRan: number;
  /** How the body ended on its own, if it did. */
  completion: { readonly kind: 'return'; readonly value: string } | { readonly kind: 'throw'; readonly error: unknown; readonly own: boolean } | undefined;
  /** Reasons with which this very task was cancelled (by handle, close, the test). */
  readonly cancelReasons: unknown[];
  /** What the test or a joiner saw when awaiting the handle. */
  outcome: { readonly status: 'fulfilled'; readonly value: unknown } | { readonly status: 'rejected'; readonly reason: unknown } | undefined;
  handle: TaskHandle<string> | undefined;
  readonly children: Record_[];
  /** Errors thrown into joins, by child index. */
  readonly joinedErrors: Map<number, unknown>;
}

interface Settlement {
  readonly state: SettleEvent['state'];
  readonly order: number;
}

/** Runs a program on a fresh executor and checks every rule; throws on a violation. */
export async function runProgram(program: Program, makeExecutor: () => Executor): Promise<void> {
  const executor = makeExecutor();
  const records = new Map<string, Record_>();
  const settlements = new Map<number, Settlement[]>();
  let order = 0;
  const onSettle = (message: unknown): void => {
    const event = message as SettleEvent;
    if (event.executor !== executor.label) return;
    const list = settlements.get(event.taskId) ?? [];
    list.push({ state: event.state, order: order++ });
    settlements.set(event.taskId, list);
  };
  subscribe(channelNames.settle, onSettle);
  const roots: (TaskHandle<string> | undefined)[] = [];

  const makeRecord = (path: string, node: Node, parent: Record_ | undefined): Record_ => {
    const record: Record_ = {
      path,
      parent,
      node,
      taskId: undefined,
      started: 0,
      finallyRan: 0,
      completion: undefined,
      cancelReasons: [],
      outcome: undefined,
      handle: undefined,
      children: [],
      joinedErrors: new Map(),
    };
    records.set(path, record);
    parent?.children.push(record);
    return record;
  };

  const cancel = (record: Record_, reason: unknown): void => {
    record.cancelReasons.push(reason);
    record.handle?.cancel(reason);
  };

  const spawnChild = (ctx: TaskContext, record: Record_, index: number, joined: boolean): TaskHandle<string> => {
    const childNode = record.node.children[index];
    if (childNode === undefined) throw new Error(`bad program: ${record.path} has no child ${index}`);
    const child = makeRecord(`${record.path}.${index}`, childNode, record);
    const handle = ctx.spawn(bodyFor(child), [], { name: child.path });
    child.handle = handle;
    child.taskId = handle.id;
    return joined ? ctx.join(handle) : handle;
  };

  /** The body of a node, as a generator or async function, recording what it does. */
  const bodyFor = (record: Record_): ((ctx: TaskContext) => Generator<unknown, string, unknown>) | ((ctx: TaskContext) => Promise<string>) => {
    const ownError = (nonError: boolean): unknown => (nonError ? `thrown by ${record.path}` : new Error(`thrown by ${record.path}`));
    if (record.node.kind === 'generator') {
      return function* (ctx: TaskContext): Generator<unknown, string, unknown> {
        record.started++;
        const handles = new Map<number, TaskHandle<string>>();
        try {
          for (const op of record.node.ops) {
            switch (op.op) {
              case 'yield':
                yield ctx.yield();
                break;
              case 'spawn':
                handles.set(op.child, spawnChild(ctx, record, op.child, op.joined));
                break;
              case 'join': {
                const handle = handles.get(op.child);
                if (handle === undefined) break;
                try {
                  yield handle;
                } catch (error) {
                  record.joinedErrors.set(op.child, error);
                  if (op.rethrow) throw error;
                }
                break;
              }
              case 'cancel': {
                const child = record.children.find((c) => c.path === `${record.path}.${op.child}`);
                if (child !== undefined) cancel(child, `cancel ${child.path} by ${record.path}`);
                break;
              }
              case 'cancelRoot': {
                const root = records.get(String(op.root));
                if (root !== undefined) cancel(root, `cancel root ${root.path} by ${record.path}`);
                break;
              }
              case 'throw': {
                const error = ownError(op.nonError);
                record.completion = { kind: 'throw', error, own: true };
                throw error;
              }
            }
          }
          record.completion = { kind: 'return', value: record.path };
          return record.path;
        } catch (error) {
          record.completion ??= { kind: 'throw', error, own: false };
          throw error;
        } finally {
          record.finallyRan++;
        }
      };
    }
    return async function (ctx: TaskContext): Promise<string> {
      record.started++;
      const handles = new Map<number, TaskHandle<string>>();
      try {
        for (const op of record.node.ops) {
          switch (op.op) {
            case 'yield':
              await ctx.yield();
              break;
            case 'spawn':
              handles.set(op.child, spawnChild(ctx, record, op.child, op.joined));
              break;
            case 'join': {
              const handle = handles.get(op.child);
              if (handle === undefined) break;
              try {
                await handle;
              } catch (error) {
                record.joinedErrors.set(op.child, error);
                if (op.rethrow) throw error;
              }
              break;
            }
            case 'cancel': {
              const child = record.children.find((c) => c.path === `${record.path}.${op.child}`);
              if (child !== undefined) cancel(child, `cancel ${child.path} by ${record.path}`);
              break;
            }
            case 'cancelRoot': {
              const root = records.get(String(op.root));
              if (root !== undefined) cancel(root, `cancel root ${root.path} by ${record.path}`);
              break;
            }
            case 'throw': {
              const error = ownError(op.nonError);
              record.completion = { kind: 'throw', error, own: true };
              throw error;
            }
          }
        }
        record.completion = { kind: 'return', value: record.path };
        return record.path;
      } catch (error) {
        record.completion ??= { kind: 'throw', error, own: false };
        throw error;
      } finally {
        record.finallyRan++;
      }
    };
  };

  try {
    const rootRecords = program.roots.map((node, i) => makeRecord(String(i), node, undefined));
    for (const record of rootRecords) {
      const handle = executor.spawn(bodyFor(record), [], { name: record.path });
      record.handle = handle;
      record.taskId = handle.id;
      roots.push(handle);
    }
    for (const i of program.cancelAtSpawn) {
      const record = rootRecords[i];
      if (record !== undefined) cancel(record, `cancel root ${record.path} by the test`);
    }
    const outcomes = Promise.allSettled(rootRecords.map((r) => r.handle ?? Promise.reject(new Error('unspawned'))));
    let closed: Promise<void> | undefined;
    const closeReason = new Error('closed by the test');
    if (program.close === 'drain') closed = executor.close();
    else if (program.close === 'cancel') {
      for (const record of rootRecords) record.cancelReasons.push(closeReason);
      closed = executor.close({ mode: 'cancel', reason: closeReason });
    }
    const settled = await outcomes;
    settled.forEach((outcome, i) => {
      const record = rootRecords[i];
      if (record !== undefined) record.outcome = outcome.status === 'fulfilled' ? { status: 'fulfilled', value: outcome.value } : { status: 'rejected', reason: outcome.reason };
    });
    closed ??= executor.close();
    await closed;
    // Every accepted task has settled once close() resolves.
    const settledAtClose = order;
    checkAll(rootRecords, settlements);
    if (order !== settledAtClose) throw new Error('a task settled after close() resolved');
    // A closed executor refuses new work with the typed error.
    let refused: unknown;
    try {
      executor.spawn(function* () {
        yield undefined;
      });
    } catch (error) {
      refused = error;
    }
    if (!(refused instanceof Error) || refused.name !== 'ExecutorClosedError') throw new Error(`spawn after close gave ${String(refused)}`);
  } finally {
    unsubscribe(channelNames.settle, onSettle);
  }
}

function fail(record: Record_, message: string): never {
  throw new Error(`${record.path}: ${message}`);
}

/** Was a stop (cancellation, or a failure cascading down) possibly requested for this task? */
function possiblyStopped(record: Record_, settlements: Map<number, Settlement[]>): boolean {
  for (let r: Record_ | undefined = record; r !== undefined; r = r.parent) {
    if (r.cancelReasons.length > 0) return true;
    if (r.children.some((c) => !isJoinedSpawn(r, c) && stateOf(c, settlements) === 'rejected')) return true;
  }
  return false;
}

function isJoinedSpawn(parent: Record_, child: Record_): boolean {
  const index = Number(child.path.slice(parent.path.length + 1));
  return parent.node.ops.some((op) => op.op === 'spawn' && op.child === index && op.joined);
}

function stateOf(record: Record_, settlements: Map<number, Settlement[]>): SettleEvent['state'] | undefined {
  return record.taskId === undefined ? undefined : settlements.get(record.taskId)?.[0]?.state;
}

/** Reasons a cancellation of this task may carry: its own, its ancestors', failures cascading down. */
function allowedCauses(record: Record_, settlements: Map<number, Settlement[]>): unknown[] {
  const causes: unknown[] = [];
  for (let r: Record_ | undefined = record; r !== undefined; r = r.parent) {
    causes.push(...r.cancelReasons);
    for (const c of r.children) {
      if (stateOf(c, settlements) === 'rejected' && c.outcome?.status === 'rejected') causes.push(c.outcome.reason);
      if (stateOf(c, settlements) === 'rejected' && c.completion?.kind === 'throw') causes.push(c.completion.error);
    }
  }
  return causes;
}

function checkAll(records: readonly Record_[], settlements: Map<number, Settlement[]>): void {
  const all: Record_[] = [];
  const walk = (r: Record_): void => {
    all.push(r);
    r.children.forEach(walk);
  };
  records.forEach(walk);
  for (const record of all) checkOne(record, settlements);
}

function checkOne(record: Record_, settlements: Map<number, Settlement[]>): void {
  if (record.taskId === undefined) fail(record, 'never spawned');
  const list = settlements.get(record.taskId) ?? [];
  // Settles exactly once.
  if (list.length !== 1) fail(record, `settled ${list.length} times`);
  const settlement = list[0];
  if (settlement === undefined) fail(record, 'no settlement');
  // Runs at most once; `finally` runs exactly once for every body that started.
  if (record.started > 1) fail(record, `body started ${record.started} times`);
  if (record.finallyRan !== record.started) fail(record, `finally ran ${record.finallyRan} times for ${record.started} starts`);
  // A parent settles only after its children.
  for (const child of record.children) {
    const childSettlement = child.taskId === undefined ? undefined : settlements.get(child.taskId)?.[0];
    if (childSettlement === undefined || childSettlement.order > settlement.order) fail(record, `settled before its child ${child.path}`);
  }
  const stopped = possiblyStopped(record, settlements);
  const state = settlement.state;
  // The outcome seen through the handle matches the settle event.
  if (record.outcome !== undefined) {
    if ((record.outcome.status === 'fulfilled') !== (state === 'fulfilled')) fail(record, `handle ${record.outcome.status} but settled ${state}`);
    if (state === 'cancelled') {
      const reason = record.outcome.status === 'rejected' ? record.outcome.reason : undefined;
      if (!(reason instanceof TaskCancelledError)) fail(record, `cancelled with ${String(reason)}`);
      if (reason.taskId !== record.taskId) fail(record, 'TaskCancelledError names another task');
      if (!allowedCauses(record, settlements).includes(reason.cause)) fail(record, `cancelled with an unexpected cause ${String(reason.cause)}`);
    }
    if (state === 'fulfilled' && record.outcome.status === 'fulfilled' && record.outcome.value !== record.path) fail(record, `fulfilled with ${String(record.outcome.value)}`);
  }
  // A joined child's failure reaches the joiner, as the very error the child rejected with.
  for (const [index, error] of record.joinedErrors) {
    const child = record.children.find((c) => c.path === `${record.path}.${index}`);
    if (child === undefined) fail(record, `joined unknown child ${index}`);
    if (stateOf(child, settlements) === 'fulfilled') fail(record, `join of fulfilled ${child.path} threw`);
    if (stateOf(child, settlements) === 'rejected' && child.completion?.kind === 'throw' && child.completion.own && error !== child.completion.error) {
      fail(record, `join of ${child.path} threw something else than its error`);
    }
  }
  const detachedFailed = record.children.some((c) => !isJoinedSpawn(record, c) && stateOf(c, settlements) === 'rejected');
  if (state === 'fulfilled') {
    if (record.completion?.kind !== 'return') fail(record, 'fulfilled without its body returning');
    if (detachedFailed) fail(record, 'fulfilled although an unjoined child failed');
    return;
  }
  // A body that threw its own error settles rejected with it, whatever else happened.
  if (record.completion?.kind === 'throw' && record.completion.own) {
    if (state !== 'rejected') fail(record, `threw its own error but settled ${state}`);
    if (record.outcome?.status === 'rejected' && record.outcome.reason !== record.completion.error) fail(record, 'rejected with something else than the error it threw');
  }
  if (state === 'cancelled' && !stopped) fail(record, 'cancelled although nothing cancelled it');
  if (state === 'rejected') {
    const threw = record.completion?.kind === 'throw';
    if (!threw && !detachedFailed && !stopped) fail(record, 'rejected although its body returned and nothing failed');
  }
  // Not stopped, body returned, no unjoined child failed: must have fulfilled.
  if (!stopped && !detachedFailed && record.completion?.kind === 'return') fail(record, `settled ${state} although its body returned`);
  if (record.completion === undefined && record.started > 0 && !stopped && !detachedFailed) fail(record, 'body interrupted although nothing stopped it');
}

const leaf = (kind: Node['kind'], ...ops: Op[]): Node => ({ kind, ops, children: [] });
const y: Op = { op: 'yield' };

/** Hand-picked corners of the contract, kept as explicit regression cases next to shrunk counterexamples. */
export const cornerCases: readonly (readonly [string, Program])[] = [
  [
    'an unjoined child that throws fails its parent and cancels a yielding sibling',
    {
      roots: [{ kind: 'generator', ops: [{ op: 'spawn', child: 0, joined: false }, { op: 'spawn', child: 1, joined: true }, y, y, { op: 'join', child: 1, rethrow: false }], children: [leaf('async', { op: 'throw', nonError: false }), leaf('generator', y, y, y, y, y, y)] }],
      cancelAtSpawn: [],
      close: 'none',
    },
  ],
  [
    'a joined child that throws a non-Error: the joiner receives that very value and rethrows it',
    {
      roots: [{ kind: 'async', ops: [{ op: 'spawn', child: 0, joined: true }, { op: 'join', child: 0, rethrow: true }], children: [leaf('generator', y, { op: 'throw', nonError: true })] }],
      cancelAtSpawn: [],
      close: 'none',
    },
  ],
  [
    'a task cancels its own root while its siblings yield',
    {
      roots: [{ kind: 'generator', ops: [{ op: 'spawn', child: 0, joined: true }, { op: 'spawn', child: 1, joined: false }, { op: 'join', child: 0, rethrow: true }], children: [leaf('async', y, { op: 'cancelRoot', root: 0 }, y), leaf('generator', y, y, y)] }],
      cancelAtSpawn: [],
      close: 'none',
    },
  ],
  [
    'close in cancel mode while async and generator trees are mid-flight',
    {
      roots: [
        { kind: 'async', ops: [{ op: 'spawn', child: 0, joined: true }, y, { op: 'join', child: 0, rethrow: false }, y], children: [leaf('generator', y, y)] },
        { kind: 'generator', ops: [y, { op: 'spawn', child: 0, joined: false }, y], children: [leaf('async', y, y, y)] },
      ],
      cancelAtSpawn: [],
      close: 'cancel',
    },
  ],
  [
    'a root cancelled at spawn never runs its body, and drain still resolves',
    { roots: [leaf('generator', y), leaf('async', y, y)], cancelAtSpawn: [0], close: 'drain' },
  ],
];

/** Property: every random program keeps the contract on the executor `make` builds. */
export function contractProperty(make: () => Executor): fc.IAsyncProperty<[Program]> {
  return fc.asyncProperty(programArbitrary, (program) => runProgram(program, make));
}
