// Task bodies for the release test: a result that fits its slot, and one that does not (it
// travels back by message).
export function text(_ctx, length) {
  return 'x'.repeat(length);
}
