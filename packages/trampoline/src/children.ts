import { isSettledState } from '@spindle/core';
import { Task } from '@spindle/core/kit';
import type { TaskHandle } from '@spindle/core';
import type { Instruction } from './instruction.js';

/** Subscribes to a promise-like the cheapest way it allows. */
export function observe(awaited: PromiseLike<unknown>, onSettled: (value: unknown) => void, onFailed: (error: unknown) => void): void {
  if (awaited instanceof Task) awaited.subscribe(onSettled, onFailed);
  else void Promise.resolve(awaited).then(onSettled, onFailed);
}

/** Fulfils with every value in order once all fulfil; rejects with the first rejection. */
export function whenAll(items: readonly PromiseLike<unknown>[]): Promise<unknown[]> {
  return new Promise<unknown[]>((resolve, reject) => {
    // Tagged elements from the start (see the pool's payload.ts): a holey small-integer array
    // turns to doubles at the first float, and V8 then starts every later one as doubles.
    const values = new Array<unknown>(items.length).fill(undefined);
    let left = items.length;
    items.forEach((item, index) => {
      observe(
        item,
        (value) => {
          values[index] = value;
          if (--left === 0) resolve(values);
        },
        reject,
      );
    });
  });
}

/** Settles like the first of `items` to settle. */
export function whenFirst(items: readonly PromiseLike<unknown>[]): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    for (const item of items) observe(item, resolve, reject);
  });
}

/**
 * Cleanup of a combinator: cancels the children that have not settled and waits until
 * they have, so that their `finally` blocks have run when the combinator returns or throws.
 * Their outcomes are not looked at (the combinator already has its own).
 */
export function* stopChildren(children: readonly TaskHandle<unknown>[], reason?: unknown): Generator<Instruction, void, unknown> {
  const pending = children.filter((child) => !isSettledState(child.state));
  if (pending.length === 0) return;
  for (const child of pending) child.cancel(reason);
  let left = pending.length;
  yield new Promise<void>((resolve) => {
    const done = (): void => {
      if (--left === 0) resolve();
    };
    for (const child of pending) observe(child, done, done);
  });
}
