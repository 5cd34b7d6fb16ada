// Task bodies for the pool's growth tests (plain JavaScript: workers load it as is).

/**
 * Blocks its worker thread until the test stores a non-zero value in `word[0]`: a task
 * that holds its thread the way a sync-over-async wait would. First it adds one to
 * `word[1]` and notifies, so that the test knows the worker is blocked. Returns `value`.
 */
export function block(_ctx, word, value) {
  const view = new Int32Array(word);
  Atomics.add(view, 1, 1);
  Atomics.notify(view, 1);
  Atomics.wait(view, 0, 0);
  return value;
}

export function inc(_ctx, n) {
  return n + 1;
}
