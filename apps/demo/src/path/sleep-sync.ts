/**
 * Blocks the calling thread for `ms` milliseconds. `Atomics.wait` on a private buffer
 * that nobody notifies is the honest way to block in Node: no CPU is burnt (unlike a spin
 * loop), and nothing else on this thread — timers, I/O, other tasks — can run meanwhile.
 */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Burns CPU on the calling thread for `ms` milliseconds. The sync-over-async mistake uses
 * this rather than `sleepSync`: the watchdog pauses the thread with the inspector, and a
 * JavaScript loop is where V8 surely takes that interrupt, so the stack shows the culprit.
 */
export function spinSync(ms: number): number {
  const until = performance.now() + ms;
  let x = 1;
  while (performance.now() < until) {
    for (let i = 0; i < 10_000; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  }
  return x;
}
