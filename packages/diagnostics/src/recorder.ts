import { InvalidOptionsError } from '@spindle/core';
import { eventTime, flushTaskEvents, holdEventClock, subscribeTaskEventStream } from '@spindle/core/events';
import type { TaskEvent } from '@spindle/core';
import type { EventClockKind, TaskEventBatch } from '@spindle/core/events';
import { EventRing } from './event-ring.js';
import type { Recording } from './recording.js';
import { listenToWorkers } from './task-event-source.js';

/** Options of {@link Recorder}. */
export interface RecorderOptions {
  /**
   * Records kept at most; older ones are overwritten and their events counted as dropped.
   * A record is one event, a whole step (its start or resume and its suspend, with the
   * coarse clock), or a time that the records after it share, so a full ring holds up to
   * twice this many events (about as many as this when every step reads the precise clock).
   * Default 100 000.
   */
  readonly capacity?: number;
  /** Also record events forwarded from worker threads ({@link forwardEvents}). Default `true`. */
  readonly workers?: boolean;
  /**
   * Where event times come from while recording. `'coarse'` (the default): inside
   * executors' drains, a clock that a helper thread updates every 0.1 ms, so that recording
   * adds no system-clock read to a step or a drain; steps shorter than a tick share a time
   * (a drain after the helper thread slept starts at the exact time). `'precise'`: every
   * step reads the system clock, which
   * costs about as much as a small step. A {@link Metrics} that is running asks for the
   * precise clock, and then everyone gets it.
   */
  readonly clock?: EventClockKind;
}

/**
 * Records every Spindle lifecycle event into a bounded ring buffer. It learns about tasks
 * only through core's `node:diagnostics_channel` events, so it works with any executor.
 * It takes executors' events from core's batch channel (compact records, one message per
 * drain) and anything else from the per-kind channels, so recording adds little to a step.
 *
 * ```ts
 * const recorder = new Recorder({ capacity: 50_000 });
 * recorder.start();
 * await runTheProgram();
 * recorder.stop();
 * writeFileSync('trace.json', JSON.stringify(toChromeTrace(recorder.recording())));
 * ```
 */
export class Recorder {
  /** Records kept at most ({@link RecorderOptions.capacity}). */
  readonly capacity: number;
  /** Where event times come from while recording ({@link RecorderOptions.clock}). */
  readonly clock: EventClockKind;
  private readonly workers: boolean;
  private readonly ring: EventRing;
  private unsubscribe: (() => void) | undefined = undefined;
  private startTime: number | undefined = undefined;
  private stopTime: number | undefined = undefined;
  private readonly record = (event: TaskEvent): void => {
    this.ring.push(event);
  };
  private readonly stream = {
    onBatch: (batch: TaskEventBatch): void => {
      this.ring.pushBatch(batch);
    },
    onEvent: this.record,
  };

  /** @throws InvalidOptionsError for a capacity that is not a positive integer */
  constructor(options?: RecorderOptions) {
    const capacity = options?.capacity ?? 100_000;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new InvalidOptionsError('capacity', `capacity must be a positive integer, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    this.workers = options?.workers ?? true;
    // Checked as unknown: JavaScript callers can pass anything.
    const clock: unknown = options?.clock ?? 'coarse';
    if (clock !== 'coarse' && clock !== 'precise') {
      throw new InvalidOptionsError('clock', `clock must be 'coarse' or 'precise', got ${String(clock)}`);
    }
    this.clock = clock;
    this.ring = new EventRing(capacity);
  }

  /** True between {@link Recorder.start} and {@link Recorder.stop}. */
  get active(): boolean {
    return this.unsubscribe !== undefined;
  }

  /** Starts recording (again); a no-op while recording. Returns `this`. */
  start(): this {
    if (this.unsubscribe !== undefined) return this;
    this.startTime ??= eventTime();
    this.stopTime = undefined;
    const stopStream = subscribeTaskEventStream(this.stream);
    const stopWorkers = this.workers ? listenToWorkers(this.record) : undefined;
    const releaseClock = holdEventClock(this.clock);
    this.unsubscribe = () => {
      stopStream();
      stopWorkers?.();
      releaseClock();
    };
    return this;
  }

  /** Stops recording; what was recorded stays until {@link Recorder.clear}. */
  stop(): this {
    if (this.unsubscribe === undefined) return this;
    // Unsubscribing publishes the batches executors are still gathering, so they are kept.
    this.unsubscribe();
    this.unsubscribe = undefined;
    this.stopTime = eventTime();
    return this;
  }

  /** Forgets every recorded event and the dropped count. */
  clear(): void {
    this.ring.clear();
    this.startTime = this.unsubscribe === undefined ? undefined : eventTime();
    this.stopTime = undefined;
  }

  /** Events recorded so far, kept or dropped (batches still being gathered are not counted yet). */
  get count(): number {
    return this.ring.pushed;
  }

  /** Events overwritten because the buffer was full. */
  get dropped(): number {
    return this.ring.dropped;
  }

  /**
   * A copy of what was recorded, sorted by time (events forwarded from workers arrive
   * late), ready for {@link toChromeTrace}, {@link toHtmlTimeline} or your own analysis.
   */
  recording(): Recording {
    // Batches still being gathered (the current drain, the next microtask) belong in it too.
    if (this.unsubscribe !== undefined) flushTaskEvents();
    const events = this.ring.toArray();
    // Stable: events of one thread keep their order when they share a timestamp.
    events.sort((a, b) => a.time - b.time);
    const now = eventTime();
    const first = events[0]?.time;
    const last = events.at(-1)?.time;
    const startTime = Math.min(this.startTime ?? first ?? now, first ?? Infinity);
    const endTime = Math.max(this.stopTime ?? now, last ?? -Infinity);
    return { events, dropped: this.ring.dropped, startTime, endTime };
  }

  /** Stops recording, for `using`. */
  [Symbol.dispose](): void {
    this.stop();
  }
}
