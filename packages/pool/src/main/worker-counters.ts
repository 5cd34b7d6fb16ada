import { WorkerWord } from '../shared/shared-state.js';
import type { SharedState } from '../shared/shared-state.js';

/** The per-worker counters the stats report. */
const COUNTED = [WorkerWord.executed, WorkerWord.steals, WorkerWord.parks, WorkerWord.injectTakes, WorkerWord.parkedMicros] as const;

/** One of the per-worker words {@link WorkerCounters} reads. */
export type CountedWord = (typeof COUNTED)[number];

/** How often every counter is read, whether or not anyone asks for the stats: far less than the time any word takes to wrap. */
export const SAMPLE_EVERY_MS = 60_000;

/**
 * The workers' counters as totals since the pool started. Each is a 32-bit word in shared
 * memory that its worker adds to with `Atomics.add`, so it wraps: after 2^31 tasks, or 36
 * minutes parked, a plain reading turns negative. Here every reading adds what the word moved
 * since the last one (modulo 2^32) to a total kept on this side, which is exact while no
 * word moves 2^32 between two readings; {@link WorkerCounters.sample}, called every
 * {@link SAMPLE_EVERY_MS}, sees to that (a worker would need 70 million tasks a second).
 */
export class WorkerCounters {
  private readonly last: Uint32Array;
  private readonly totals: Float64Array;

  constructor(
    private readonly shared: SharedState,
    private readonly workers: number,
  ) {
    this.last = new Uint32Array(workers * COUNTED.length);
    this.totals = new Float64Array(workers * COUNTED.length);
  }

  /** Worker `index`'s counter `which`, in total since the pool started. */
  read(index: number, which: CountedWord): number {
    const at = index * COUNTED.length + COUNTED.indexOf(which);
    const now = Atomics.load(this.shared.control, this.shared.word(index, which)) >>> 0;
    const moved = (now - (this.last[at] ?? 0)) >>> 0;
    this.last[at] = now;
    const total = (this.totals[at] ?? 0) + moved;
    this.totals[at] = total;
    return total;
  }

  /** Reads every counter of every worker, so that none wraps twice unseen. */
  sample(): void {
    for (let index = 0; index < this.workers; index++) for (const which of COUNTED) this.read(index, which);
  }
}
