import { TrampolineExecutor } from '../src/index.js';

/** A promise with its resolve/reject outside (Promise.withResolvers is Node 22+). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The rejection of `promise` (fails the test if it fulfils). */
export async function rejectionOf(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a fulfilment');
}

/** Runs `test` with a fresh executor and closes it afterwards. */
export async function withExecutor<T>(test: (ex: TrampolineExecutor) => Promise<T>): Promise<T> {
  const ex = new TrampolineExecutor();
  try {
    return await test(ex);
  } finally {
    await ex.close({ mode: 'cancel' });
  }
}
