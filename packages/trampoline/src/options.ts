import { InvalidOptionsError, describeValue } from '@spindle/core';

/** Options of {@link TrampolineExecutor}. */
export interface TrampolineOptions {
  /**
   * How long the executor may hold the thread before it hands it back to Node's event
   * loop (through `setImmediate`), in milliseconds. Default 5. Synchronous chains and
   * already-settled waits run without a break until then; smaller values let timers and
   * I/O in sooner, larger ones cost less per step.
   */
  readonly sliceMs?: number;
  /** Label used in events and errors; defaults to `trampoline#<n>`. */
  readonly label?: string;
}

/** Options after validation, with defaults filled in. */
export interface ResolvedOptions {
  readonly sliceMs: number;
  readonly label: string | undefined;
}

/** Checks user options and fills in defaults; throws `InvalidOptionsError` naming the option. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) return { sliceMs: 5, label: undefined };
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('options', `trampoline options must be an object, got ${describeValue(options)}`);
  }
  const { sliceMs = 5, label } = options as { sliceMs?: unknown; label?: unknown };
  if (typeof sliceMs !== 'number' || !Number.isFinite(sliceMs) || sliceMs <= 0 || sliceMs > 60_000) {
    throw new InvalidOptionsError('sliceMs', `sliceMs must be a number of milliseconds in (0, 60000], got ${describeValue(sliceMs)}`);
  }
  if (label !== undefined && typeof label !== 'string') {
    throw new InvalidOptionsError('label', `label must be a string, got ${describeValue(label)}`);
  }
  return { sliceMs, label };
}
