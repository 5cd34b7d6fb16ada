import { InvalidOptionsError, describeValue } from '../contract/errors.js';
import { assertKnownOptions } from './option-names.js';

/** Options every single-thread executor built on `ExecutorShell` takes. */
export interface SliceOptions {
  /**
   * How long the executor may hold the thread before it hands it back to Node's event
   * loop (through `setImmediate`), in milliseconds. Default 5. Smaller: timers and I/O
   * wait less; larger: less overhead per step.
   */
  readonly sliceMs?: number;
  /** Label used in events and errors; defaults to `<kind>#<n>`. */
  readonly label?: string;
  /**
   * At most this many tasks spawned with `executor.spawn` run at once (started and not yet
   * settled); the rest wait, highest priority first, then in spawn order. A positive
   * integer; default: no limit. Children spawned inside a task do not count (they are part
   * of their parent's work: counting them could leave a parent waiting for a child that
   * waits for the parent's place).
   */
  readonly concurrency?: number;
}

/** {@link SliceOptions} checked, with defaults filled in. */
export interface ResolvedSliceOptions {
  readonly sliceMs: number;
  readonly label: string | undefined;
  readonly concurrency: number;
}

const names = ['sliceMs', 'label', 'concurrency'] as const;

/**
 * Checks an executor's options and fills in defaults.
 * @param kind the executor kind, for messages (`round-robin`)
 * @param more names of the executor's own options beyond {@link SliceOptions}
 * @throws InvalidOptionsError naming the option at fault, or an unknown one
 */
export function resolveSliceOptions(kind: string, options: unknown, more: readonly string[] = []): ResolvedSliceOptions {
  assertKnownOptions(kind, options, [...names, ...more]);
  if (options === undefined) return { sliceMs: 5, label: undefined, concurrency: Number.POSITIVE_INFINITY };
  const { sliceMs = 5, label, concurrency = Number.POSITIVE_INFINITY } = options as { sliceMs?: unknown; label?: unknown; concurrency?: unknown };
  if (typeof sliceMs !== 'number' || !Number.isFinite(sliceMs) || sliceMs <= 0 || sliceMs > 60_000) {
    throw new InvalidOptionsError('sliceMs', `sliceMs must be a number of milliseconds in (0, 60000], got ${describeValue(sliceMs)}`);
  }
  if (label !== undefined && typeof label !== 'string') {
    throw new InvalidOptionsError('label', `label must be a string, got ${describeValue(label)}`);
  }
  if (typeof concurrency !== 'number' || !(Number.isInteger(concurrency) || concurrency === Number.POSITIVE_INFINITY) || concurrency < 1) {
    throw new InvalidOptionsError('concurrency', `concurrency must be a positive integer (or Infinity), got ${describeValue(concurrency)}`);
  }
  return { sliceMs, label, concurrency };
}
