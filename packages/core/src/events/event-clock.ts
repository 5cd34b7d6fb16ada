// perf_hooks' export, not the global `performance` (a lazy getter on globalThis in Node 20).
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { processState } from '../shared/process-state.js';
import type { ClockState } from '../shared/process-state.js';

const origin = performance.timeOrigin;

/** How often the clock thread writes the time while executors on this thread are stepping. */
const TICK_MS = 0.1;
/** Ticks without a sign of use before the clock thread sleeps until the next one. */
const IDLE_TICKS = 50;

// Words of the control array shared with the clock thread.
/**
 * Signs of use: this thread adds one when it reads a tick it had not seen before (see
 * {@link noteEventClockTick}), so at most once a tick however many drains and steps read
 * the clock. The clock thread sleeps once it has not changed for `IDLE_TICKS` ticks.
 */
const SIGNS = 0;
/** 1 while the clock thread sleeps for want of use; a sign of use wakes it. */
const ASLEEP = 2;
/** 1 once the clock is released: the clock thread exits. */
const STOP = 3;

/** Where the tick count sits in the clock's shared memory (bytes), after the time. */
const TICKS_OFFSET = Float64Array.BYTES_PER_ELEMENT;
/**
 * The tick count wraps below 2^30, so that it stays a small integer: V8 passes those
 * through calls and compares them without allocating.
 */
const TICK_MASK = 0x3fffffff;

/**
 * The clock thread: writes `timeOrigin + now()` into `time[0]`, then counts the tick in
 * `ticks[0]`, every tick while this thread's executors drain, and sleeps (costing nothing)
 * once they have been idle for a while. Plain JavaScript so it runs from a string, in
 * CommonJS and ESM builds alike.
 */
const clockThreadSource = `
const { workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const time = new Float64Array(workerData.memory, 0, 1);
const ticks = new Int32Array(workerData.memory, ${String(TICKS_OFFSET)}, 1);
const control = new Int32Array(workerData.control);
const origin = performance.timeOrigin;
let seen = -1;
let idle = 0;
while (Atomics.load(control, ${String(STOP)}) === 0) {
  time[0] = origin + performance.now();
  Atomics.store(ticks, 0, (ticks[0] + 1) & ${String(TICK_MASK)});
  Atomics.wait(control, ${String(STOP)}, 0, ${String(TICK_MS)});
  const signs = Atomics.load(control, ${String(SIGNS)});
  if (signs !== seen) {
    seen = signs;
    idle = 0;
    continue;
  }
  if (++idle < ${String(IDLE_TICKS)}) continue;
  // Announce the sleep, then look once more: a use signed in between has either seen
  // ASLEEP (and will wake us) or is visible here (sequentially consistent atomics).
  Atomics.store(control, ${String(ASLEEP)}, 1);
  if (Atomics.load(control, ${String(SIGNS)}) === seen) {
    Atomics.wait(control, ${String(ASLEEP)}, 1);
  }
  Atomics.store(control, ${String(ASLEEP)}, 0);
  idle = 0;
}
`;

/**
 * The coarse clock's shared memory, as an executor's drain window sees it: `time[0]` is the
 * time of the latest tick (epoch ms), `ticks[0]` counts ticks (a small integer that wraps).
 * A log that has stamped the time of tick `ticks[0]` need not read `time[0]` again until
 * the count changes: comparing two small integers is the cheapest check there is.
 */
export interface EventClockCells {
  readonly time: Float64Array;
  readonly ticks: Int32Array;
}

/** A running clock thread and the memory it shares with this one. */
interface CoarseClock extends EventClockCells {
  readonly control: Int32Array;
  readonly thread: Worker;
}

/**
 * The clock's state, shared by every copy of core on this thread (see `process-state.ts`):
 * - `coarse`: the running clock thread, while the coarse clock is in use;
 * - `windows`: drain windows open on this thread, across executors;
 * - `latest[0]`: the latest time handed out while the coarse clock is in use; reads never
 *   go below it. A typed array rather than a variable: storing a fractional number in a
 *   variable allocates, and this is stored for every event;
 * - `signedTick`: the tick count at the last sign of use (one sign per tick is enough to
 *   keep the thread awake);
 * - `coarseHolders`, `preciseHolders`: see {@link holdEventClock};
 * - `unused`: the clock thread while nobody uses it, and the timer that ends it;
 * - `unavailable`: set once a clock thread could not start or died (events then keep the
 *   precise clock).
 */
const state = processState.clock as ClockState & { coarse: CoarseClock | undefined; unused: UnusedClock | undefined };
const latest = state.latest;

/** A clock thread nobody uses, kept for a while, and the timer that ends it. */
interface UnusedClock {
  readonly clock: CoarseClock;
  readonly timer: NodeJS.Timeout;
}

/**
 * The time of a lifecycle event: epoch milliseconds with sub-millisecond precision,
 * comparable across worker threads (`performance.timeOrigin + performance.now()`).
 *
 * While the coarse clock is in use ({@link holdEventClock}) and an executor on this
 * thread is draining its ready queue, the time comes from the coarse clock instead: a read
 * of shared memory rather than of the system clock, which costs as much as a small step.
 * Times on one thread never go backwards either way.
 */
export function eventTime(): number {
  readEventTime(scratch);
  return scratch[0] ?? Number.NaN;
}

/** Where {@link eventTime} has {@link readEventTime} write. */
const scratch = new Float64Array(1);

/**
 * Writes {@link eventTime} into `cell[0]`. For hot paths: no fractional number crosses a
 * call here, in or out. V8 boxes (allocates) such a number when it crosses a call it does
 * not inline, and whether it inlines depends on the caller's size.
 */
export function readEventTime(cell: Float64Array): void {
  const coarse = state.coarse;
  if (coarse === undefined) {
    cell[0] = origin + performance.now();
    return;
  }
  // In a window, the thread's time, unless it slept (a step longer than its idle wait).
  const time = state.windows > 0 && !noteEventClockTick(coarse.ticks[0] ?? -1) ? (coarse.time[0] ?? 0) : origin + performance.now();
  const previous = latest[0] ?? 0;
  if (time > previous) {
    latest[0] = time;
    cell[0] = time;
  } else {
    cell[0] = previous;
  }
}

/** The time (epoch ms) `time`, or the latest time handed out if that is later; remembers the result. */
function advance(time: number): number {
  const previous = latest[0] ?? 0;
  if (time <= previous) return previous;
  latest[0] = time;
  return time;
}


/**
 * Marks the start of an executor's drain window. With the coarse clock in use, returns the
 * shared memory the clock thread writes the time into, and writes into `floor[0]` the time
 * the window starts at (a tick's time, or the exact time if the thread had to be woken). A
 * log compares tick counts at each step and reads the time ({@link readEventTime}, never
 * below the window's start) only when the count has moved.
 */
export function openEventClockWindow(floor: Float64Array): EventClockCells | undefined {
  state.windows++;
  const coarse = state.coarse;
  if (coarse === undefined) return undefined;
  // Woken from a sleep, the thread's time is old: the drain starts at the exact time.
  floor[0] = noteEventClockTick(coarse.ticks[0] ?? -1) ? advance(origin + performance.now()) : advance(coarse.time[0] ?? 0);
  return coarse;
}

/**
 * A log (or a window opening) has read tick count `tick`. The first time a count is seen,
 * signs the clock thread that it is in use, and wakes it if it sleeps. Returns true when
 * it slept: its time is then older than a tick, and the caller reads the system clock.
 *
 * Why once a tick is enough: after a sign, the thread ticks `IDLE_TICKS` more times before
 * it can sleep, so a count not seen before is read before it sleeps; and while the count
 * stays the same, the thread has not ticked since the last sign, so it has not slept.
 */
export function noteEventClockTick(tick: number): boolean {
  const coarse = state.coarse;
  if (tick === state.signedTick || coarse === undefined) return false;
  state.signedTick = tick;
  const control = coarse.control;
  // Sign first: a thread about to sleep then either sees the sign and stays awake, or has
  // already said it sleeps (sequentially consistent atomics) and is woken here.
  Atomics.add(control, SIGNS, 1);
  if (Atomics.load(control, ASLEEP) !== 1) return false;
  Atomics.store(control, ASLEEP, 0);
  Atomics.notify(control, ASLEEP);
  return true;
}

/**
 * The clock thread's tick count now, or -1 without the coarse clock: not exported from the
 * package, for tests that must know whether a tick fell inside what they recorded.
 */
export function eventClockTick(): number {
  return state.coarse?.ticks[0] ?? -1;
}

/** Marks the end of a window begun with {@link openEventClockWindow}. */
export function closeEventClockWindow(): void {
  state.windows--;
}

/** Which clock a diagnostics tool wants event times from: see {@link holdEventClock}. */
export type EventClockKind = 'coarse' | 'precise';


/**
 * Asks for a kind of event clock on this thread until the returned function is called.
 *
 * `coarse`: a tool that records every step (a recorder) holds it so that a step costs no
 * system-clock read, which costs as much as a small step. A thread of its own writes the
 * time into shared memory every 0.1 ms (on a busy machine, less often) while executors
 * drain, and sleeps while they are idle (a drain after a sleep starts at the exact time,
 * and so does any read that finds it asleep). Event times inside drains then move in ticks:
 * steps shorter than a tick share a time, and durations summed over many steps remain
 * right on average.
 *
 * `precise`: a tool that needs each step's own duration (step-time histograms) holds it,
 * and it wins: the coarse clock is in use only while somebody holds it and nobody holds
 * the precise one. Holders are counted; the clock thread ends a second after it was last
 * used, so that one started and stopped around each run is reused. Where no thread can
 * start (or it dies), a warning says so and the precise clock stays: this never throws.
 */
export function holdEventClock(kind: EventClockKind): () => void {
  if (kind === 'coarse') state.coarseHolders++;
  else state.preciseHolders++;
  updateClock();
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (kind === 'coarse') state.coarseHolders--;
    else state.preciseHolders--;
    updateClock();
  };
}

/** True while event times inside drains come from the coarse clock on this thread. */
export function coarseEventClockInUse(): boolean {
  return state.coarse !== undefined;
}

function updateClock(): void {
  const wanted = state.coarseHolders > 0 && state.preciseHolders === 0;
  if (wanted && state.coarse === undefined) useClock();
  else if (!wanted && state.coarse !== undefined) parkClock();
}

/** How long an unused clock thread is kept for a recorder that starts again. */
const KEEP_UNUSED_MS = 1000;


function useClock(): void {
  if (state.unavailable) return;
  const reuse = state.unused;
  state.unused = undefined;
  if (reuse !== undefined) clearTimeout(reuse.timer);
  const coarse = reuse?.clock ?? startClock();
  if (coarse === undefined) return;
  // The thread may have slept: the clock starts at the exact time, as a tick of its own.
  coarse.time[0] = advance(origin + performance.now());
  Atomics.store(coarse.ticks, 0, ((coarse.ticks[0] ?? 0) + 1) & TICK_MASK);
  state.coarse = coarse;
}

/**
 * Stops using the clock thread, and keeps it (asleep once no drain wakes it) for a while:
 * a recorder started and stopped around each run must not start a thread each time.
 */
function parkClock(): void {
  const coarse = state.coarse;
  if (coarse === undefined) return;
  state.coarse = undefined;
  const timer = setTimeout(() => {
    if (state.unused?.clock !== coarse) return;
    state.unused = undefined;
    stopThread(coarse);
  }, KEEP_UNUSED_MS);
  timer.unref();
  state.unused = { clock: coarse, timer };
}

/**
 * Starts a clock thread, or returns undefined (and keeps the precise clock from then on)
 * where none can start: diagnostics must never be why a program fails.
 */
function startClock(): CoarseClock | undefined {
  const memory = new SharedArrayBuffer(TICKS_OFFSET + Int32Array.BYTES_PER_ELEMENT);
  const time = new Float64Array(memory, 0, 1);
  const ticks = new Int32Array(memory, TICKS_OFFSET, 1);
  const control = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  let thread: Worker;
  try {
    // No execArgv of the parent (a loader, an inspector port): the source is plain JavaScript.
    thread = new Worker(clockThreadSource, {
      eval: true,
      execArgv: [],
      workerData: { memory, control: control.buffer },
      name: 'spindle event clock',
    });
  } catch (error) {
    giveUp(`could not start its thread (${String(error)})`);
    return undefined;
  }
  const coarse: CoarseClock = { time, ticks, control, thread };
  // Never the reason the program keeps running.
  thread.unref();
  thread.on('error', () => undefined);
  thread.on('exit', () => {
    // Stopped on purpose only once nobody uses it; any other exit is a death.
    if (state.coarse === coarse || state.unused?.clock === coarse) giveUp('its thread exited');
  });
  return coarse;
}

/** The coarse clock is gone for good on this thread: events use the precise clock. */
function giveUp(why: string): void {
  state.unavailable = true;
  state.coarse = undefined;
  if (state.unused !== undefined) clearTimeout(state.unused.timer);
  state.unused = undefined;
  process.emitWarning(`@spindle/core: the coarse event clock ${why}; events use the precise clock`, 'SpindleWarning');
}

function stopThread(coarse: CoarseClock): void {
  Atomics.store(coarse.control, STOP, 1);
  Atomics.notify(coarse.control, STOP);
  Atomics.store(coarse.control, ASLEEP, 0);
  Atomics.notify(coarse.control, ASLEEP);
}
