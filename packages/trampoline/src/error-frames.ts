/**
 * Stack traces for errors that cross `yield*` frames.
 *
 * The trampoline keeps callers on its heap, not on the native stack, so an error thrown
 * deep in a chain is created with only the innermost generator on the stack. As the
 * error is thrown back in at each caller's `yield*`, the caller's frame *is* on the
 * native stack (it is running the `yield*` that forwards the throw), so it is captured
 * there and appended to the error's stack: the trace then reads innermost first, like a
 * native one, down to the outermost operation.
 */

/** At most this many `yield*` frames are appended to one error. */
const MAX_FRAMES = 50;

const appended = new WeakMap<Error, number>();

/**
 * Called from an iterator's `throw()` that a `yield*` is forwarding an error to: appends
 * the frame of that `yield*` (the caller of the caller) to `error.stack`. Errors that are
 * not `Error` objects, or whose stack cannot be written, are left alone.
 */
export function recordYieldFrame(error: unknown): void {
  if (!(error instanceof Error)) return;
  const count = appended.get(error) ?? 0;
  if (count >= MAX_FRAMES) return;
  const line = yieldFrame();
  if (line === undefined) return;
  try {
    const stack = error.stack;
    if (typeof stack !== 'string') return;
    error.stack = `${stack}\n${line}`;
    appended.set(error, count + 1);
  } catch {
    // A frozen error, or a stack accessor that refuses writes: keep what it has.
  }
}

/** How many `yield*` frames were appended to `error`'s stack. */
export function yieldFramesOf(error: unknown): number {
  return error instanceof Error ? (appended.get(error) ?? 0) : 0;
}

/** The frame two calls up from `recordYieldFrame`: past the iterator's `throw()`, the `yield*`. */
function yieldFrame(): string | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 2;
  try {
    Error.captureStackTrace(holder, recordYieldFrame);
  } finally {
    Error.stackTraceLimit = limit;
  }
  const lines = holder.stack?.split('\n');
  return lines?.[2];
}
