// perf_hooks' export, not the global `performance` (a lazy getter on globalThis in Node 20).
import { performance } from 'node:perf_hooks';

/** Steps between two looks at the clock while steps are short. */
const CHECK_EVERY = 64;

/**
 * The time budget of a single-thread executor within one turn of Node's event loop.
 * While a slice has time left the executor may go on in microtasks; once it is spent the
 * executor continues in `setImmediate`, so timers and I/O get their turn. A slice ends
 * when the event loop turns (an unref'd immediate marks it, so it keeps nothing alive).
 */
export class TimeSlice {
  /** Times a slice ran out with work still to do. */
  expired = 0;
  /**
   * Slices begun so far: a number that changes once per turn of the event loop in which the
   * executor ran, for what an executor asks once per turn (who listens to its events).
   */
  turns = 0;
  private readonly budgetMs: number;
  private open = false;
  private spent = false;
  private start = 0;
  private lastCheck = 0;
  /**
   * Steps left before the next look at the clock. Zero while the slice is closed or spent,
   * so that {@link TimeSlice.tick} and {@link TimeSlice.claim} test one number on their
   * short path (every wake of a task takes it) and find the rest out of line.
   */
  private countdown = 0;
  private readonly closeBound = (): void => {
    this.open = false;
    this.countdown = 0;
  };

  /** @param budgetMs how long one slice may last */
  constructor(budgetMs: number) {
    this.budgetMs = budgetMs;
  }

  /** Begins a slice unless one is open. Call before a run of steps. */
  enter(): void {
    if (this.open) return;
    this.open = true;
    this.turns++;
    this.spent = false;
    this.countdown = CHECK_EVERY;
    this.start = this.lastCheck = performance.now();
    setImmediate(this.closeBound).unref();
  }

  /** True when more work may run in a microtask of this turn of the event loop. */
  get microtaskAllowed(): boolean {
    return !this.open || (!this.spent && performance.now() - this.start < this.budgetMs);
  }

  /**
   * Counts one step; false once the slice is spent. Looks at the clock every 64 steps, or
   * after every step once steps are long.
   */
  tick(): boolean {
    if (--this.countdown > 0) return true;
    return this.check();
  }

  /**
   * {@link TimeSlice.enter} and {@link TimeSlice.tick} in one call, for a step about to run
   * outside a drain (a woken task stepped in its wake-up callback).
   */
  claim(): boolean {
    if (--this.countdown > 0) return true;
    if (!this.open) {
      this.enter();
      this.countdown--;
      return true;
    }
    return this.check();
  }

  /**
   * The rest of {@link TimeSlice.tick}, out of line (its callers inline the count): a spent
   * slice stays spent, else the clock says whether it is.
   */
  private check(): boolean {
    if (this.spent) {
      this.countdown = 0;
      return false;
    }
    const now = performance.now();
    // Long steps: look after every one.
    this.countdown = now - this.lastCheck > this.budgetMs / 8 ? 1 : CHECK_EVERY;
    this.lastCheck = now;
    if (now - this.start < this.budgetMs) return true;
    this.spent = true;
    this.countdown = 0;
    this.expired++;
    return false;
  }
}
