import type { SpawnOptions } from '@spindle/core';

/** Options of the pool's `spawn`: core's, and the buffers to move. */
export interface PoolSpawnOptions extends SpawnOptions {
  /**
   * `ArrayBuffer`s of the arguments to move to the worker instead of copying them: they are
   * detached here (`byteLength` 0) and arrive whole there. Such a task travels by message
   * and runs on the worker it is posted to (it is not stolen). Each must be an `ArrayBuffer`
   * in the arguments (a typed array's `.buffer`), listed once; a `SharedArrayBuffer` is
   * shared already and is refused here. Bad lists throw `InvalidTransferError` at the call.
   */
  readonly transfer?: readonly ArrayBuffer[];
}
