import type { TaskEvent } from '@spindle/core';

/** What a {@link Recorder} captured: the input of every exporter. */
export interface Recording {
  /** The kept events, in time order (the shared clock: epoch milliseconds). */
  readonly events: readonly TaskEvent[];
  /** Events that were recorded but overwritten because the ring buffer was full. */
  readonly dropped: number;
  /** When recording started (epoch ms), or the first event's time if earlier. */
  readonly startTime: number;
  /** When recording stopped, or the time of the export while it runs (epoch ms). */
  readonly endTime: number;
}

/** A recording with nothing in it, e.g. to export an empty timeline. */
export function emptyRecording(time: number = performance.timeOrigin + performance.now()): Recording {
  return { events: [], dropped: 0, startTime: time, endTime: time };
}
