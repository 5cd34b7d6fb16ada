/**
 * A board is a small `Int32Array` on a `SharedArrayBuffer`. Tests hand it to task bodies
 * as an argument; it is structured-cloneable and stays shared, so a body running on
 * another thread (a worker pool) and the test on the main thread see the same memory.
 * Bodies report on it (started, cleaned up) and the test steers them (release, stop);
 * either side waits for the other with `Atomics.waitAsync`, never by polling.
 */
export type Board = Int32Array;

/** What each slot of a board means. */
export const Slot = {
  /** Bodies that have started (incremented once per body). */
  started: 0,
  /** Set to 1 to release bodies parked on the board. */
  release: 1,
  /** Set to 1 to stop bodies that spin on the board. */
  stop: 2,
  /** `finally` blocks that have run. */
  cleanup: 3,
  /** A parent body's own `finally` ran. */
  parentCleanup: 4,
  /** A parent body has spawned all its children. */
  parentStarted: 5,
} as const;

/** The number of slots of a board. */
export const boardSize = 8;

/** A fresh board, every slot 0. */
export function createBoard(): Board {
  return new Int32Array(new SharedArrayBuffer(boardSize * Int32Array.BYTES_PER_ELEMENT));
}

/** Adds one to a slot and wakes whoever waits on it. */
export function bump(board: Board, slot: number): void {
  Atomics.add(board, slot, 1);
  Atomics.notify(board, slot);
}

/** Sets a slot and wakes whoever waits on it. */
export function raise(board: Board, slot: number, value = 1): void {
  Atomics.store(board, slot, value);
  Atomics.notify(board, slot);
}

/** Reads a slot. */
export function read(board: Board, slot: number): number {
  return Atomics.load(board, slot);
}

/**
 * Resolves once `board[slot] >= atLeast`. Waits with `Atomics.waitAsync`, so it works
 * whether the writer runs on this thread or another one, and costs nothing while waiting.
 */
export async function reach(board: Board, slot: number, atLeast = 1): Promise<void> {
  for (;;) {
    const current = Atomics.load(board, slot);
    if (current >= atLeast) return;
    const waiting = Atomics.waitAsync(board, slot, current);
    if (waiting.async) await waiting.value;
  }
}
