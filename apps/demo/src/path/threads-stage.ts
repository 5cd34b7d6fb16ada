import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { channels, currentThread, eventTime } from '@spindle/core/events';
import { fetchDelays, fetchValues } from './stage.js';
import type { Stage } from './stage.js';

/** What a fetch thread reports back: its number and when (shared clock) it ran. */
interface ThreadReport {
  readonly value: number;
  readonly start: number;
  readonly end: number;
}

// The blocking fetch, as a worker script: plain threads need no executor, so the code is
// the synchronous version's, once per thread. eval keeps the demo free of a build step.
const fetchThread = `
const { parentPort, workerData } = require('node:worker_threads');
const now = () => performance.timeOrigin + performance.now();
const start = now();
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.delay);
parentPort.postMessage({ value: workerData.value, start, end: now() });
`;

const executor = 'worker_threads';

/**
 * Raw threads have no Spindle executor, so the demo publishes their lifecycle itself
 * (spawn on the main thread, one step on the worker's thread) on the same channels: the
 * recorder and the timeline then draw threads exactly like executor tasks.
 */
async function fetchOnThread(taskId: number, value: number, delay: number): Promise<ThreadReport> {
  channels.spawn.publish({ kind: 'spawn', taskId, executor, thread: currentThread, time: eventTime(), name: `thread fetch ${String(taskId)}`, parentId: undefined, body: 'worker_threads.Worker' });
  const worker = new Worker(fetchThread, { eval: true, workerData: { value, delay } });
  const thread = worker.threadId;
  // Listen for the exit now: a worker may exit right after its message, before a later
  // once(worker, 'exit') would be listening, and that wait would never end.
  const exited = once(worker, 'exit');
  const [report] = (await once(worker, 'message')) as [ThreadReport];
  channels.start.publish({ kind: 'start', taskId, executor, thread, time: report.start });
  channels.settle.publish({ kind: 'settle', taskId, executor, thread, time: report.end, state: 'fulfilled', error: undefined });
  await exited;
  return report;
}

/** Stage 2: one OS thread per fetch, joined. */
export const threadsStage: Stage = {
  index: 2,
  name: 'threads',
  title: 'Threads',
  summary: 'One worker thread per blocking fetch, joined: the fetches overlap, at the price of a thread (and its start-up) each.',
  run: async (sizes) => {
    const delays = fetchDelays(sizes.delayMs);
    const started = eventTime();
    const reports = await Promise.all(fetchValues.map((value, at) => fetchOnThread(at + 1, value, delays[at] ?? 0)));
    return {
      result: reports.map((report) => report.value),
      notes: [
        ...reports.map((report, at) => `thread ${String(at + 1)} blocked ${(report.end - report.start).toFixed(1)} ms, from ${(report.start - started).toFixed(1)} ms (after its start-up)`),
        'CPU includes the worker threads (process.cpuUsage counts every thread of the process)',
      ],
    };
  },
};
