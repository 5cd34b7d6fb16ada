// Task bodies for the hostile-input tests, loaded by reference (plain JavaScript, so that
// every executor, the pool's workers included, loads it as is).

/** Returns its argument. */
export function echo(_ctx, value) {
  return value;
}

/** Returns the byte length of a buffer or the length of a string. */
export function sizeOf(_ctx, value) {
  return typeof value === 'string' ? value.length : value.byteLength;
}

/** Throws something that is not an Error: `string`, `undefined` or a frozen object. */
export function throwsNonError(_ctx, kind) {
  if (kind === 'string') throw 'a thrown string';
  if (kind === 'undefined') throw undefined;
  throw Object.freeze({ code: 42, frozen: true });
}

/** A thenable that fulfils twice and then rejects too: only the first call may count. */
export function twiceThenable() {
  return {
    then(onFulfilled, onRejected) {
      onFulfilled('first');
      onFulfilled('second');
      onRejected(new Error('late rejection'));
    },
  };
}

/** A thenable whose `then` throws. */
export function throwingThenable() {
  return {
    then() {
      throw new Error('then threw');
    },
  };
}

/** Yields (awaits) a hostile thenable: `twice` or `throws`. */
export function* yieldsThenable(_ctx, kind) {
  const value = yield kind === 'twice' ? twiceThenable() : throwingThenable();
  return value;
}

/** Awaits a hostile thenable in an async body. */
export async function awaitsThenable(_ctx, kind) {
  return await (kind === 'twice' ? twiceThenable() : throwingThenable());
}

/** Returns a hostile thenable from a plain function body: the task adopts it like a promise. */
export function returnsThenable(_ctx, kind) {
  return kind === 'twice' ? twiceThenable() : throwingThenable();
}

/** An export that is not a function. */
export const notAFunction = 17;

/** Returns a value that cannot be structured-cloned (fine in-thread, refused across threads). */
export function returnsClosure() {
  return { fn: () => 1 };
}
