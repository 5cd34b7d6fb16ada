import type * as WorkerThreads from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';

// A platform where no worker thread can start (a sandbox, a resource limit).
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof WorkerThreads>();
  return {
    ...real,
    Worker: function Worker(): never {
      throw new Error('no threads here');
    },
  };
});

const { coarseEventClockInUse, eventTime, holdEventClock } = await import('../src/events/event-clock.js');
const { TaskEventLog } = await import('../src/events/event-log.js');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('event clock where no thread can start', () => {
  it('keeps the precise clock, warns once, and never throws to the program', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const release = holdEventClock('coarse');
    expect(coarseEventClockInUse()).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/coarse event clock could not start its thread \(Error: no threads here\); events use the precise clock/);
    // Holding it again does not try (and warn) again.
    const again = holdEventClock('coarse');
    expect(warn).toHaveBeenCalledTimes(1);
    const log = new TaskEventLog('no-clock');
    log.open();
    const before = performance.timeOrigin + performance.now();
    expect(eventTime()).toBeGreaterThanOrEqual(before);
    log.close();
    again();
    release();
    expect(coarseEventClockInUse()).toBe(false);
  });
});
