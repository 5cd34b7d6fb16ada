// Task bodies for the `transfer` suite (plain JavaScript, loaded by workers with Node's own
// loader). Each takes an ArrayBuffer, checks that its bytes arrived (its last byte), marks
// its first byte and hands the same buffer back: moved, or returned plainly to be copied.
// They touch two bytes, so a run's time is the crossing, not work on the bytes.
import { move } from 'piscina';
import { moved } from '@spindle/pool';

/** Marks byte 0 of `buffer` with its last byte + 1 (a check that the bytes arrived whole). */
function mark(buffer) {
  const bytes = new Uint8Array(buffer);
  bytes[0] = (bytes[bytes.length - 1] ?? 0) + 1;
  return buffer;
}

/** piscina, copied back. */
export function markCopied(buffer) {
  return mark(buffer);
}

/** piscina, moved back with `Piscina.move`. */
export function markMoved(buffer) {
  return move(mark(buffer));
}

/** Spindle's pool, copied back. */
export function spindleMarkCopied(_ctx, buffer) {
  return mark(buffer);
}

/** Spindle's pool, moved back with `moved()`. */
export function spindleMarkMoved(_ctx, buffer) {
  return moved(mark(buffer), [buffer]);
}
