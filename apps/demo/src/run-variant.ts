import { RoundRobinExecutor } from '@spindle/round-robin';
import { EventLog } from './event-log.js';
import type { LogEntry } from './event-log.js';
import { createSlowSource, defaultSourceOptions } from './slow-source.js';
import type { SlowSourceOptions } from './slow-source.js';
import type { Variant } from './variants.js';

/** What one run of one variant produced. */
export interface VariantRun {
  readonly variant: Variant;
  readonly numbers: readonly number[];
  /** Everything that happened, in order. */
  readonly entries: readonly LogEntry[];
  /** Task id → name, for printing. */
  readonly names: ReadonlyMap<number, string>;
  /** Wall time from spawning get_numbers to its result, in milliseconds. */
  readonly elapsedMs: number;
  /** Each fetch's delay, in milliseconds. */
  readonly delaysMs: readonly number[];
}

let runs = 0;

/**
 * Runs one variant of get_numbers on a fresh round-robin executor, recording every step
 * and event, and closes the executor (drain) before returning.
 */
export async function runVariant(variant: Variant, source: SlowSourceOptions = defaultSourceOptions): Promise<VariantRun> {
  const executor = new RoundRobinExecutor({ label: `demo-${variant.id}#${++runs}` });
  const log = new EventLog(executor.label).open();
  try {
    const started = performance.now();
    const numbers = await variant.spawn(executor, { source: createSlowSource(source), notes: log });
    const elapsedMs = performance.now() - started;
    await executor.close();
    return { variant, numbers, entries: log.entries, names: log.names, elapsedMs, delaysMs: source.delaysMs };
  } finally {
    log.close();
    await executor.close({ mode: 'cancel' });
  }
}
