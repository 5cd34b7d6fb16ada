import { checkTransfer } from './transfer.js';

/**
 * Results a task asked to move, by value: one registry per thread, shared by every copy of
 * this package in it (the worker's own code and the copy a task module imports). A weak
 * map, so that a value returned where nothing moves (a child joined on the same worker, a
 * single-thread executor) leaves nothing behind.
 */
const registryKey = Symbol.for('@spindle/pool:moved-results@1');
const registry = globalThis as unknown as Record<symbol, WeakMap<object, readonly ArrayBuffer[]> | undefined>;
const moves: WeakMap<object, readonly ArrayBuffer[]> = (registry[registryKey] ??= new WeakMap());

/**
 * Marks a task's result to be moved to whoever receives it, not copied: return
 * `moved(value, [buffer, …])` from a body. Each listed `ArrayBuffer` (reachable from
 * `value`) is transferred and detached in the worker; the value itself is returned
 * unchanged, so a body that returns it runs as it is on any executor (where nothing
 * crosses a thread, nothing moves).
 *
 * @throws InvalidTransferError for a list that is not distinct `ArrayBuffer`s of `value`
 *   (a `SharedArrayBuffer`, a buffer not in `value`, a detached one)
 */
export function moved<T>(value: T, transfer: readonly ArrayBuffer[]): T {
  checkTransfer(transfer, [value], 'result');
  if (typeof value === 'object' && value !== null && transfer.length > 0) moves.set(value, transfer);
  return value;
}

/** The transfer list a body gave its result with {@link moved} (forgotten once taken), if any. */
export function takeMoves(value: unknown): readonly ArrayBuffer[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const transfer = moves.get(value);
  if (transfer !== undefined) moves.delete(value);
  return transfer;
}
