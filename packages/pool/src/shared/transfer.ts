import { InvalidTaskError } from '@spindle/core';
import type { ExecutorCapabilities, SpawnOptions } from '@spindle/core';
import { assertCloneable, describeValue, validateSpawn } from '@spindle/core/kit';
import { InvalidTransferError } from '../errors.js';

/** Arguments whose listed buffers moved into them, and those buffers (to post with them). */
export interface MovedArguments {
  readonly list: readonly unknown[];
  readonly transfer: readonly ArrayBuffer[] | undefined;
}

/**
 * `validateSpawn` for a spawn with a transfer list, and the list's own checks, without a
 * copy of what moves (`validateSpawn` proves arguments cloneable by cloning them, which
 * would copy every buffer): {@link moveArguments} then moves them.
 * @throws InvalidTaskError as `validateSpawn` does; InvalidTransferError for a bad list
 */
export function checkMovingArguments(body: unknown, args: unknown, options: SpawnOptions, given: unknown, capabilities: ExecutorCapabilities): MovedArguments {
  validateSpawn(body, undefined, options, capabilities);
  if (args !== undefined && !Array.isArray(args)) throw new InvalidTaskError('invalid-options', `spawn arguments must be an array, got ${describeValue(args)}`);
  const list: readonly unknown[] = args ?? [];
  const transfer = checkTransfer(given, list, 'arguments');
  if (transfer.length === 0) return { list: validateSpawn(body, list, options, capabilities), transfer: undefined };
  return { list, transfer };
}

/**
 * Arguments checked by {@link checkMovingArguments}, moved: cloned once with the listed
 * buffers transferred into the clone (detached here, at the call), which is both the check
 * that they can cross a thread and what goes to the worker.
 * @throws InvalidTaskError (`not-cloneable`) for arguments that cannot cross; then nothing moved
 */
export function moveArguments(checked: MovedArguments): MovedArguments {
  const { list, transfer } = checked;
  if (transfer === undefined) return checked;
  let moved: [unknown[], ArrayBuffer[]];
  try {
    // One clone of both: the list's buffers in the clone are the ones its arguments hold.
    moved = structuredClone<[unknown[], ArrayBuffer[]]>([list as unknown[], transfer as ArrayBuffer[]], { transfer: [...transfer] });
  } catch (error) {
    // Nothing moved: say which argument cannot cross, as validateSpawn would.
    assertCloneable(list);
    throw error;
  }
  return { list: moved[0], transfer: moved[1] };
}

/**
 * Checks a transfer list against what it moves (`values`: a task's arguments, or a result)
 * and returns it: an array of distinct `ArrayBuffer`s, none detached, each reachable from
 * `values` the way structured clone reaches what it copies.
 * @throws InvalidTransferError naming the problem and the entry at fault
 */
export function checkTransfer(transfer: unknown, values: readonly unknown[], what: 'arguments' | 'result'): readonly ArrayBuffer[] {
  if (!Array.isArray(transfer)) {
    throw new InvalidTransferError('not-an-array', -1, `transfer must be an array of ArrayBuffers, got ${describeValue(transfer)}`);
  }
  const reachable = buffersIn(values);
  const listed = new Set<ArrayBuffer>();
  transfer.forEach((item: unknown, index) => {
    const at = `transfer[${index}]`;
    if (item instanceof SharedArrayBuffer) {
      throw new InvalidTransferError('shared', index, `${at} is a SharedArrayBuffer: it is shared, not moved (pass it in the ${what} without listing it)`);
    }
    if (!(item instanceof ArrayBuffer)) {
      const hint = ArrayBuffer.isView(item) ? ' (list the view’s .buffer)' : '';
      throw new InvalidTransferError('not-an-array-buffer', index, `${at} is ${describeValue(item)}, not an ArrayBuffer${hint}`);
    }
    if (listed.has(item)) throw new InvalidTransferError('duplicate', index, `${at} is listed twice`);
    if (isDetached(item)) throw new InvalidTransferError('detached', index, `${at} is detached: it was moved already`);
    if (!reachable.has(item)) {
      throw new InvalidTransferError('not-in-values', index, `${at} is not in the ${what}: only a buffer that travels with the ${what} can move with them`);
    }
    listed.add(item);
  });
  return transfer as readonly ArrayBuffer[];
}

/** True for a buffer that was moved (transferred) away: it cannot move again. */
export function isDetached(buffer: ArrayBuffer): boolean {
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * The `ArrayBuffer`s reachable from `values` as structured clone reaches them: directly,
 * behind a typed array or DataView, in array items, Map and Set entries, and own
 * enumerable properties of other objects.
 */
function buffersIn(values: readonly unknown[]): Set<ArrayBuffer> {
  const found = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const pending: unknown[] = [...values];
  for (let value = pending.pop(); pending.length > 0 || value !== undefined; value = pending.pop()) {
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    if (value instanceof ArrayBuffer) found.add(value);
    else if (ArrayBuffer.isView(value)) pending.push(value.buffer);
    else if (value instanceof Map) for (const [key, entry] of value) pending.push(key, entry);
    else if (value instanceof Set || Array.isArray(value)) for (const item of value as Iterable<unknown>) pending.push(item);
    else for (const key of Object.keys(value)) pending.push((value as Record<string, unknown>)[key]);
  }
  return found;
}
