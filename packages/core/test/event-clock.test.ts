import { execFile } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { closeEventClockWindow, coarseEventClockInUse, eventTime, holdEventClock, openEventClockWindow, readEventTime } from '../src/events/event-clock.js';
import type { EventClockCells } from '../src/events/event-clock.js';

const cell = new Float64Array(1);
const floor = new Float64Array(1);
/** What the window just opened hands a log: the clock thread's memory, if the coarse clock is in use. */
let tick: EventClockCells | undefined = undefined;

function open(): void {
  tick = openEventClockWindow(floor);
}

function close(): void {
  closeEventClockWindow();
  tick = undefined;
}

/** The clock thread's latest time, as the window just opened sees it; NaN without the coarse clock. */
function coarseEventTime(): number {
  if (tick === undefined) return Number.NaN;
  return tick.time[0] ?? 0;
}

/** The system clock, as the clock thread and `eventTime` read it. */
const systemTime = (): number => performance.timeOrigin + performance.now();

const run = promisify(execFile);
const releases: (() => void)[] = [];
afterEach(() => {
  for (const release of releases.splice(0)) release();
});

function hold(kind: 'coarse' | 'precise'): void {
  releases.push(holdEventClock(kind));
}

/** Reads `read` until it returns something other than `from`; the clock thread's tick is what ends the loop. */
function readUntilChanged(read: () => number, from: number): number {
  for (;;) {
    const now = read();
    if (now !== from) return now;
  }
}

describe('event clock', () => {
  it('is the system clock when nobody holds the coarse one', () => {
    expect(coarseEventClockInUse()).toBe(false);
    open();
    try {
      const before = eventTime();
      expect(Math.abs(before - (performance.timeOrigin + performance.now()))).toBeLessThan(50);
      expect(readUntilChanged(eventTime, before)).toBeGreaterThan(before);
      expect(coarseEventTime()).toBeNaN();
    } finally {
      close();
    }
  });

  it('inside a drain window, moves in ticks of the clock thread and never goes back', () => {
    hold('coarse');
    expect(coarseEventClockInUse()).toBe(true);
    open();
    try {
      const start = eventTime();
      const reads = [start];
      // Several ticks: each change of the time comes from the clock thread (nothing else
      // writes it while the window stays open).
      while (reads.length < 4) reads.push(readUntilChanged(eventTime, reads[reads.length - 1] ?? start));
      for (let i = 1; i < reads.length; i++) expect(reads[i]).toBeGreaterThan(reads[i - 1] ?? Infinity);
      // The coarse time is never ahead of the system clock, and lags it by at most a tick or
      // a scheduling delay (a read that finds the thread asleep reads the system clock).
      const coarse = eventTime();
      const lag = systemTime() - coarse;
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(1000);
    } finally {
      close();
    }
  });

  it('counts its ticks: the count changes whenever the time does, and stays a small integer', () => {
    hold('coarse');
    open();
    try {
      const cells = tick;
      if (cells === undefined) throw new Error('no coarse clock');
      const readTicks = (): number => cells.ticks[0] ?? Number.NaN;
      const firstTime = coarseEventTime();
      let count = readTicks();
      for (let seen = 0; seen < 5; seen++) {
        const next = readUntilChanged(readTicks, count);
        // The count moves only after the time is written: once it has moved, the time is
        // at least that of the tick before.
        expect(next).toBeGreaterThanOrEqual(0);
        expect(next).toBeLessThan(2 ** 30);
        expect(next).not.toBe(count);
        count = next;
      }
      expect(coarseEventTime()).toBeGreaterThan(firstTime);
    } finally {
      close();
    }
  });

  it('outside drain windows reads the system clock, and times on the thread stay in order across both', () => {
    hold('coarse');
    expect(coarseEventTime()).toBeNaN();
    const times: number[] = [];
    for (let round = 0; round < 200; round++) {
      times.push(eventTime());
      open();
      readEventTime(cell);
      times.push(cell[0] ?? Number.NaN, eventTime());
      close();
    }
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] ?? Infinity);
  });

  it('opening a window after the clock thread slept starts it at the exact time, and wakes the thread', async () => {
    hold('coarse');
    open();
    const cells = tick;
    close();
    if (cells === undefined) throw new Error('no coarse clock');
    // Idle for 5 ms, the thread sleeps: its tick count then stays put (awake, it moves every 0.1 ms).
    const readTicks = (): number => cells.ticks[0] ?? Number.NaN;
    for (let tries = 0; ; tries++) {
      const before = readTicks();
      await delay(20);
      if (readTicks() === before) break;
      if (tries > 100) throw new Error('the clock thread never slept');
    }
    const asleepAt = readTicks();
    const before = performance.timeOrigin + performance.now();
    open();
    try {
      expect(eventTime()).toBeGreaterThanOrEqual(before);
      // Woken: it ticks again.
      expect(readUntilChanged(readTicks, asleepAt)).not.toBe(asleepAt);
    } finally {
      close();
    }
  });

  it('a window that stays open longer than the idle wait keeps exact-enough times', async () => {
    hold('coarse');
    open();
    try {
      const cells = tick;
      if (cells === undefined) throw new Error('no coarse clock');
      // One long step: nothing reads the clock for 50 ms, so the thread sleeps meanwhile.
      const start = eventTime();
      await delay(50);
      const before = performance.timeOrigin + performance.now();
      const after = eventTime();
      // A sleeping thread's time is about 45 ms old; a read that wakes it reads the system clock.
      expect(after - start).toBeGreaterThanOrEqual(35);
      expect(before - after).toBeLessThan(15);
    } finally {
      close();
    }
  });

  it('the precise clock wins over the coarse one, and the coarse one returns when it is released', () => {
    hold('coarse');
    const releasePrecise = holdEventClock('precise');
    expect(coarseEventClockInUse()).toBe(false);
    releasePrecise();
    releasePrecise();
    expect(coarseEventClockInUse()).toBe(true);
    for (const release of releases.splice(0)) release();
    expect(coarseEventClockInUse()).toBe(false);
  });

  it('counts holders: the clock stays until the last one lets go', () => {
    const first = holdEventClock('coarse');
    const second = holdEventClock('coarse');
    first();
    first();
    expect(coarseEventClockInUse()).toBe(true);
    second();
    expect(coarseEventClockInUse()).toBe(false);
  });

  it('a clock held and never released does not keep the process alive', async () => {
    // The built package (tests run after the build): a plain Node process, no loader.
    const core = new URL('../dist/events.js', import.meta.url).href;
    const script = `
      const { holdEventClock, TaskEventLog, eventTime } = await import(${JSON.stringify(core)});
      holdEventClock('coarse');
      const log = new TaskEventLog('exit-test');
      log.open();
      const t = eventTime();
      log.close();
      console.log(Number.isFinite(t) ? 'ok' : 'bad');
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], { timeout: 30_000 });
    expect(stdout.trim()).toBe('ok');
  });
});
