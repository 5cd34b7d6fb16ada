import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

let collectGarbage: (() => void) | undefined;
let canCollect = false;

/** Heap in use after a full garbage collection (when one can be forced). */
export function heapAfterCollection(): number {
  if (collectGarbage === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collectGarbage = runInNewContext('gc') as () => void;
      canCollect = typeof collectGarbage === 'function';
    } catch {
      collectGarbage = () => undefined;
    }
  }
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Whether {@link heapAfterCollection} could force its collections (known after its first call). */
export function canCollectGarbage(): boolean {
  return canCollect;
}
