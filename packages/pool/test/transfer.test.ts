// Moving buffers to and from the pool's workers: `spawn`'s `transfer` option and `moved()`
// for results. A moved buffer is detached where it left (a copy would leave it whole).
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidTaskError, taskRef } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { InvalidTransferError, PoolExecutor, QueueFullError, WorkerCrashedError, moved } from '../dist/index.js';
import type { PoolSpawnOptions, TransferProblem } from '../dist/index.js';

const fixtures = new URL('./transfer-fixtures.mjs', import.meta.url);
type Body<A extends unknown[], R> = (ctx: TaskContext, ...args: A) => R;
interface Sum {
  readonly length: number;
  readonly total: number;
}
const sum = taskRef<Body<[Uint8Array], Sum>>(fixtures, 'sum');
const addAndMove = taskRef<Body<[ArrayBuffer, number], ArrayBuffer>>(fixtures, 'addAndMove');
const makeBytes = taskRef<Body<[number, number, boolean], { label: string; bytes: Uint8Array }>>(fixtures, 'makeBytes');
const lastReturnedLength = taskRef<Body<[], number>>(fixtures, 'lastReturnedLength');
const movesBadly = taskRef<Body<[string], Uint8Array>>(fixtures, 'movesBadly');
const movesTwice = taskRef<Body<[], ArrayBuffer>>(fixtures, 'movesTwice');
const installWords = taskRef<Body<[SharedArrayBuffer], boolean>>(fixtures, 'installWords');
const joinsMoverElsewhere = taskRef<Body<[number, number], Sum>>(fixtures, 'joinsMoverElsewhere');
const movesToChild = taskRef<Body<[number, number], { after: number; child: Sum }>>(fixtures, 'movesToChild');
const holdThenExit = taskRef<Body<[], never>>(fixtures, 'holdThenExit');

const MiB = 2 ** 20;

function bytesOf(size: number, value: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(size).fill(value);
}

let pool: PoolExecutor | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('moving buffers to a task', () => {
  it('a listed buffer is detached at the call and arrives whole in the worker', async () => {
    pool = new PoolExecutor({ threads: 2 });
    const bytes = bytesOf(4 * MiB, 3);
    const handle = pool.spawn(sum, [bytes], { transfer: [bytes.buffer] });
    expect(bytes.buffer.byteLength).toBe(0);
    expect(bytes.length).toBe(0);
    expect(await handle).toEqual({ length: 4 * MiB, total: 12 * MiB });
  });

  it('a spawn refused at the call (a full queue) moves nothing: the listed buffer stays whole here', () => {
    pool = new PoolExecutor({ threads: 1, maxQueue: 0, onFull: 'reject' });
    const bytes = bytesOf(MiB, 5);
    expect(() => pool?.spawn(sum, [bytes], { transfer: [bytes.buffer] })).toThrow(QueueFullError);
    expect(bytes.buffer.byteLength).toBe(MiB);
    expect(bytes[MiB - 1]).toBe(5);
  });

  it('an unlisted buffer is copied: it stays whole here', async () => {
    pool = new PoolExecutor({ threads: 1 });
    const bytes = bytesOf(MiB, 1);
    expect(await pool.spawn(sum, [bytes])).toEqual({ length: MiB, total: MiB });
    expect(bytes.length).toBe(MiB);
  });

  it('to the pool and back: moved both ways, detached on each side once it has left', async () => {
    pool = new PoolExecutor({ threads: 1 });
    const buffer = bytesOf(16 * MiB, 1).buffer;
    const back = await pool.spawn(addAndMove, [buffer, 2], { transfer: [buffer] });
    expect(buffer.byteLength).toBe(0);
    expect(back.byteLength).toBe(16 * MiB);
    const view = new Uint8Array(back);
    expect([view[0], view[16 * MiB - 1]]).toEqual([3, 3]);
    expect(await pool.spawn(lastReturnedLength, [])).toBe(0);
  });

  it('a result given with moved() moves; one returned plainly is copied (the worker keeps its own)', async () => {
    pool = new PoolExecutor({ threads: 1 });
    const movedResult = await pool.spawn(makeBytes, [MiB, 7, true]);
    expect(movedResult.label).toBe('bytes');
    expect(movedResult.bytes.length).toBe(MiB);
    expect(movedResult.bytes[MiB - 1]).toBe(7);
    expect(await pool.spawn(lastReturnedLength, [])).toBe(0);
    const copied = await pool.spawn(makeBytes, [MiB, 5, false]);
    expect(copied.bytes[0]).toBe(5);
    expect(await pool.spawn(lastReturnedLength, [])).toBe(MiB);
  });

  it('a moved result of a child that ran on another worker reaches its parent (through the main thread)', async () => {
    pool = new PoolExecutor({ threads: 2 });
    await pool.ready();
    const memory = new SharedArrayBuffer(8);
    // Each worker gets the words (a task holding shared memory runs where it is posted, in turn).
    await Promise.all([pool.spawn(installWords, [memory]), pool.spawn(installWords, [memory])]);
    expect(await pool.spawn(joinsMoverElsewhere, [2 * MiB, 4])).toEqual({ length: 2 * MiB, total: 8 * MiB });
  });

  it('ctx.spawn takes the same option: the buffers move to the child, which starts on the same worker', async () => {
    pool = new PoolExecutor({ threads: 2 });
    expect(await pool.spawn(movesToChild, [MiB, 2])).toEqual({ after: 0, child: { length: MiB, total: 2 * MiB } });
  });

  it('a task whose buffers moved to a worker that died before starting it fails with WorkerCrashedError (the buffers died with it); a copied one runs elsewhere', async () => {
    pool = new PoolExecutor({ threads: 1 });
    const memory = new SharedArrayBuffer(8);
    const words = new Int32Array(memory);
    await pool.spawn(installWords, [memory]);
    const dying = pool.spawn(holdThenExit, []);
    while (Atomics.load(words, 1) === 0) {
      const waiting = Atomics.waitAsync(words, 1, 0);
      if (waiting.async) await waiting.value;
    }
    const bytes = bytesOf(1024, 1);
    const movedTask = pool.spawn(sum, [bytes], { transfer: [bytes.buffer] });
    // Shared memory in its arguments: posted by message to the same worker, and posted again after it dies.
    const pinned = pool.spawn(sum, [new Uint8Array(new SharedArrayBuffer(16)).fill(1)]);
    await Promise.resolve();
    Atomics.store(words, 0, 1);
    Atomics.notify(words, 0);
    await expect(dying).rejects.toBeInstanceOf(WorkerCrashedError);
    await expect(movedTask).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(await pinned).toEqual({ length: 16, total: 16 });
  });
});

describe('bad transfer lists are refused at the call, and nothing is accepted', () => {
  function refusal(args: unknown[], transfer: unknown): InvalidTransferError {
    pool ??= new PoolExecutor({ threads: 1 });
    const made = pool;
    try {
      made.spawn(sum, args as [Uint8Array], { transfer } as PoolSpawnOptions);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidTransferError);
      expect(error).toBeInstanceOf(InvalidTaskError);
      expect((error as InvalidTaskError).code).toBe('invalid-options');
      expect(made.stats.live).toBe(0);
      return error as InvalidTransferError;
    }
    throw new Error('the transfer list was accepted');
  }

  it.each<[string, () => [unknown[], unknown], TransferProblem, number]>([
    ['a buffer that is not in the arguments', () => [[bytesOf(8, 1)], [new ArrayBuffer(8)]], 'not-in-values', 0],
    ['a SharedArrayBuffer', () => [[new Uint8Array(new SharedArrayBuffer(8))], [new SharedArrayBuffer(8)]], 'shared', 0],
    ['a typed array instead of its buffer', () => {
      const bytes = bytesOf(8, 1);
      return [[bytes], [bytes]];
    }, 'not-an-array-buffer', 0],
    ['something that is not a buffer', () => [[bytesOf(8, 1)], ['buffer']], 'not-an-array-buffer', 0],
    ['a list that is not an array', () => {
      const bytes = bytesOf(8, 1);
      return [[bytes], bytes.buffer];
    }, 'not-an-array', -1],
    ['a buffer listed twice', () => {
      const bytes = bytesOf(8, 1);
      return [[bytes], [bytes.buffer, bytes.buffer]];
    }, 'duplicate', 1],
    ['a detached buffer', () => {
      const bytes = bytesOf(8, 1);
      const second = new ArrayBuffer(4);
      structuredClone(second, { transfer: [second] });
      return [[bytes, second], [bytes.buffer, second]];
    }, 'detached', 1],
  ])('%s', (_name, make, problem, index) => {
    const [args, transfer] = make();
    const error = refusal(args, transfer);
    expect(error.problem).toBe(problem);
    expect(error.index).toBe(index);
    // Nothing moved.
    const first = args[0];
    if (first instanceof Uint8Array && !(first.buffer instanceof SharedArrayBuffer)) expect(first.length).toBe(8);
  });

  it('arguments that cannot cross are refused as by any spawn (not-cloneable), and nothing moves', () => {
    pool = new PoolExecutor({ threads: 1 });
    const bytes = bytesOf(8, 1);
    const spawnIt = (): unknown => pool?.spawn(sum, [bytes, () => 1] as unknown as [Uint8Array], { transfer: [bytes.buffer] });
    expect(spawnIt).toThrow(InvalidTaskError);
    expect(spawnIt).toThrow(/argument 1/);
    expect(bytes.length).toBe(8);
  });
});

describe('moved()', () => {
  it('returns the value itself, so a body that returns it runs as it is where nothing crosses a thread', () => {
    const bytes = bytesOf(8, 1);
    expect(moved(bytes, [bytes.buffer])).toBe(bytes);
    expect(bytes.length).toBe(8);
    expect(moved(5, [])).toBe(5);
  });

  it('refuses a bad list where it is called, with InvalidTransferError', () => {
    const bytes = bytesOf(8, 1);
    expect(() => moved(bytes, [new ArrayBuffer(8)])).toThrow(InvalidTransferError);
    expect(() => moved(bytes, [bytes as unknown as ArrayBuffer])).toThrow(/not an ArrayBuffer/);
  });

  it.each<[string, TransferProblem]>([
    ['absent', 'not-in-values'],
    ['shared', 'shared'],
    ['view', 'not-an-array-buffer'],
  ])('in a task, a bad list (%s) fails the task with InvalidTransferError', async (kind, problem) => {
    pool = new PoolExecutor({ threads: 1 });
    const error: unknown = await pool.spawn(movesBadly, [kind]).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(InvalidTransferError);
    expect((error as InvalidTransferError).problem).toBe(problem);
  });

  it('a result whose buffer moved elsewhere before the task returned fails with InvalidTransferError (detached)', async () => {
    pool = new PoolExecutor({ threads: 1 });
    const error: unknown = await pool.spawn(movesTwice, []).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(InvalidTransferError);
    expect((error as InvalidTransferError).problem).toBe('detached');
  });
});
