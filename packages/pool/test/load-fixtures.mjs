// Task bodies for the load test, loaded by reference in the pool's workers (plain
// JavaScript, as Node runs it there).

/**
 * Keeps the CPU busy for `spins` iterations (work, not a timer: the queue must build up
 * because tasks take longer than spawning them), then returns 2n + 1, so that every result
 * names the task it came from.
 */
export function work(_ctx, n, spins) {
  let x = 0;
  for (let i = 0; i < spins; i++) x = (x + i) | 0;
  return 2 * n + 1 + (x & 0);
}

/**
 * Holds its worker until the test stores a non-zero value in `word[0]` (after counting itself
 * in `word[1]`, so that the test knows it runs), then waits for `word[2]` without holding the
 * worker: the worker is free again and has sent nothing to the main thread.
 */
export async function holdThenPark(_ctx, word) {
  const view = new Int32Array(word);
  Atomics.add(view, 1, 1);
  Atomics.notify(view, 1);
  Atomics.wait(view, 0, 0);
  const parked = Atomics.waitAsync(view, 2, 0);
  if (parked.async) await parked.value;
  return 'done';
}

let release;
const released = new Promise((resolve) => {
  release = resolve;
});

/** Parks (its worker is free) until `releaseParked` runs on the same worker. */
export async function parked() {
  await released;
  return 'released';
}

export function releaseParked() {
  release();
  return 'releasing';
}
