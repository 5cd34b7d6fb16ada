// A busy worker holds its forwarded events for a while (see worker-runtime.ts), but never
// an outcome the main thread waits for: the writer says when it holds one.
import { describe, expect, it } from 'vitest';
import { EventWriter } from '../src/worker/event-writer.js';
import { CHUNK_HEADER, SPAN, Wire } from '../src/shared/event-wire.js';

function writer(): EventWriter {
  return new EventWriter(new Int32Array(new SharedArrayBuffer(64)));
}

describe('EventWriter', () => {
  it('owes the main thread nothing for events alone, however many', () => {
    const out = writer();
    for (let id = 1; id <= 100; id++) {
      out.spawn(id, 0, undefined, 'function body');
      out.event(Wire.Start, id);
      out.suspendWait(id, id - 1);
      out.boundary();
    }
    expect(out.owed).toBe(false);
    expect(out.size).toBeGreaterThan(100 * 6);
  });

  it.each([
    [
      'a finished main-thread task',
      (out: EventWriter): void => {
        out.done(3, 42, true);
      },
    ],
    [
      'a main-thread outcome too large for its slot',
      (out: EventWriter): void => {
        out.doneWithValue(3, 1, { large: true }, false);
      },
    ],
  ])('owes the main thread %s until it is taken', (_, write) => {
    const out = writer();
    out.event(Wire.Start, 42);
    write(out);
    expect(out.owed).toBe(true);
    const message = out.take();
    expect(message?.report[0].length).toBeGreaterThan(CHUNK_HEADER);
    expect(out.owed).toBe(false);
    expect(out.size).toBe(0);
    expect(out.empty).toBe(true);
    out.event(Wire.Resume, 42);
    expect(out.owed).toBe(false);
  });

  it('counts the numbers it will send', () => {
    const out = writer();
    expect(out.size).toBe(0);
    out.event(Wire.Start, 7);
    // A chunk header, the time, the record.
    expect(out.size).toBe(CHUNK_HEADER + 2);
    const records = out.take()?.report[0];
    expect(records?.length).toBe(CHUNK_HEADER + 2);
    expect(records?.[CHUNK_HEADER + 1]).toBe(7 * SPAN + Wire.Start);
  });
});
