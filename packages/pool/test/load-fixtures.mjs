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
