import { InvalidOptionsError, describeValue } from '../contract/errors.js';

/** Options every time-sliced, single-thread executor takes. */
export interface SliceOptions {
  /**
   * How long the executor may hold the thread before it hands it back to Node's event
   * loop (through `setImmediate`), in milliseconds. Default 5. Smaller: timers and I/O
   * wait less; larger: less overhead per step.
   */
  readonly sliceMs?: number;
  /** Label used in events and errors; defaults to `<kind>#<n>`. */
  readonly label?: string;
}

/** {@link SliceOptions} checked, with defaults filled in. */
export interface ResolvedSliceOptions {
  readonly sliceMs: number;
  readonly label: string | undefined;
}

/**
 * Checks an executor's slice options and fills in defaults.
 * @param kind the executor kind, for messages (`round-robin`)
 * @throws InvalidOptionsError naming the option at fault
 */
export function resolveSliceOptions(kind: string, options: unknown): ResolvedSliceOptions {
  if (options === undefined) return { sliceMs: 5, label: undefined };
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('options', `${kind} options must be an object, got ${describeValue(options)}`);
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
