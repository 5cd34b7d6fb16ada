// The sequential specification of WorkStealingDeque: a plain array with the owner's end at
// the back (push, pop) and the thieves' end at the front (steal), bounded by its capacity.
import { EMPTY, RETRY } from '../dist/index.js';
import type { SequentialSpec } from './linearizability.js';

/** One deque call with its result, as a history records it. */
export type DequeEvent =
  | { readonly op: 'push'; readonly item: number; readonly ok: boolean }
  | { readonly op: 'pop'; readonly got: number }
  | { readonly op: 'steal'; readonly got: number };

/** Items from the thieves' end (index 0) to the owner's end. */
export type DequeState = readonly number[];

/**
 * What the deque promises, one call at a time:
 * - `push(x)` is `true` and appends x when fewer than `capacity` items are held, else `false`
 *   and changes nothing;
 * - `pop()` takes the newest item, or is `EMPTY` when there is none;
 * - `steal()` takes the oldest item, or is `EMPTY` when there is none, or `RETRY` and changes
 *   nothing. A sequential specification cannot say when RETRY is fair (only when a race was
 *   lost); `unjustifiedRetries` in deque-history.ts checks that against the history.
 */
export function dequeSpec(capacity: number, initial: DequeState = []): SequentialSpec<DequeState, DequeEvent> {
  return {
    initial,
    key: (state) => state.join(','),
    step(state, event) {
      switch (event.op) {
        case 'push':
          if (event.ok) return state.length < capacity ? [...state, event.item] : undefined;
          return state.length >= capacity ? state : undefined;
        case 'pop':
          if (event.got === EMPTY) return state.length === 0 ? state : undefined;
          return state.length > 0 && state[state.length - 1] === event.got ? state.slice(0, -1) : undefined;
        case 'steal':
          if (event.got === EMPTY) return state.length === 0 ? state : undefined;
          if (event.got === RETRY) return state;
          return state.length > 0 && state[0] === event.got ? state.slice(1) : undefined;
      }
    },
  };
}

/** The item a call took out of the deque, if any. */
export function takenBy(event: DequeEvent): number | undefined {
  return event.op !== 'push' && event.got >= 0 ? event.got : undefined;
}
