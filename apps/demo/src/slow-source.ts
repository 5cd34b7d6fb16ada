import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Where the demo's numbers come from: a slow source, standing in for a network call or a
 * disk read. Each request takes its own time and resolves with one number.
 */
export interface NumberSource {
  /** Requests number `index` (1-based); rejects with the signal's reason if it aborts first. */
  fetch(index: number, signal?: AbortSignal): Promise<number>;
  /** How long request `index` takes, in milliseconds. */
  delayOf(index: number): number;
  /** How many numbers the source has. */
  readonly count: number;
}

export interface SlowSourceOptions {
  /** The numbers, in order. */
  readonly values: readonly number[];
  /** How long each request takes, in milliseconds, one per value. */
  readonly delaysMs: readonly number[];
}

/** The demo's default: three digits of pi, arriving after 150, 100 and 200 ms. */
export const defaultSourceOptions: SlowSourceOptions = { values: [3, 1, 4], delaysMs: [150, 100, 200] };

/** A simulated slow source: each request is a timer that resolves with the number. */
export function createSlowSource(options: SlowSourceOptions = defaultSourceOptions): NumberSource {
  const { values, delaysMs } = options;
  if (values.length !== delaysMs.length) {
    throw new RangeError(`slow source needs one delay per value: ${values.length} values, ${delaysMs.length} delays`);
  }
  const at = <T>(list: readonly T[], index: number): T => {
    const item = list[index - 1];
    if (item === undefined) throw new RangeError(`the source has numbers 1..${list.length}, not ${index}`);
    return item;
  };
  return {
    count: values.length,
    delayOf: (index) => at(delaysMs, index),
    fetch: (index, signal) => {
      const value = at(values, index);
      // node:timers/promises clears the timer when the signal aborts: nothing is left behind.
      return signal === undefined ? sleep(at(delaysMs, index), value) : sleep(at(delaysMs, index), value, { signal });
    },
  };
}
