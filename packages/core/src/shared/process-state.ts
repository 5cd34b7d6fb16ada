/**
 * What core keeps once per thread, shared by every copy of core loaded in it.
 *
 * An application can load core twice: as an ES module (through an executor it imports) and
 * as CommonJS (through a dependency that `require`s it). Two copies of module-level state
 * would hand out the same task ids twice, keep two event clocks whose times can go back
 * against each other, and deliver an event twice to a stream subscriber of the other copy.
 * So the state lives on `globalThis` under a registered symbol, and the first copy to load
 * makes it. The version in the key changes whenever the shape below does, so that copies of
 * different versions never read each other's state.
 */
export interface ProcessState {
  /** The next task id handed out on this thread. */
  nextTaskId: number;
  /** Subscribers of the event stream (each subscribed once to every per-kind channel). */
  streamSubscribers: number;
  /** The event object core is publishing on its per-kind channel right now (stream subscribers skip it). */
  publishing: unknown;
  /** Event logs holding records not yet published (see `flushTaskEvents`). */
  readonly unpublished: unknown[];
  /** The event clock: see `event-clock.ts`. */
  readonly clock: ClockState;
}

/** The event clock's state; its fields are described where `event-clock.ts` uses them. */
export interface ClockState {
  coarse: unknown;
  windows: number;
  readonly latest: Float64Array;
  signedTick: number;
  coarseHolders: number;
  preciseHolders: number;
  unused: unknown;
  unavailable: boolean;
}

const key = Symbol.for('@spindle/core:process-state@1');

function create(): ProcessState {
  return {
    nextTaskId: 1,
    streamSubscribers: 0,
    publishing: undefined,
    unpublished: [],
    clock: {
      coarse: undefined,
      windows: 0,
      latest: new Float64Array(1),
      signedTick: -1,
      coarseHolders: 0,
      preciseHolders: 0,
      unused: undefined,
      unavailable: false,
    },
  };
}

const registry = globalThis as unknown as Record<symbol, ProcessState | undefined>;

/** This thread's core state, made by whichever copy of core loaded first. */
export const processState: ProcessState = (registry[key] ??= create());
