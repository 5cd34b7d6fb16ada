import { writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

/**
 * Ends the worker that runs it (`process.exit`: a worker thread ends, a worker process
 * exits), the first time only: the file `marker` records that it did, so that an executor
 * that runs the task again after the crash does not lose a worker each time. It refuses
 * to end `testThread` (`pid:threadId` of the thread running the tests).
 */
export function endWorkerOnce(marker: string, testThread: string): void {
  if (`${String(process.pid)}:${String(threadId)}` === testThread) {
    throw new Error('this task runs on the thread that runs the tests; an executor that declares losesWorkers must run task references in its workers');
  }
  try {
    writeFileSync(marker, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return;
    throw error;
  }
  process.exit(70);
}
