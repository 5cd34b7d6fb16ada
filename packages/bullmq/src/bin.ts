#!/usr/bin/env node
/**
 * `spindle-bullmq-worker`: a worker process for `@spindle/bullmq`. Its one setting is the
 * Redis connection (`SPINDLE_REDIS_URL`, or the first argument); the queue name,
 * concurrency and BullMQ's lock settings have defaults and may be set by environment.
 * SIGTERM or SIGINT stops it: jobs whose task has not started go back to the queue at once,
 * the others finish first (for at most lockDuration); a second signal stops it at once.
 * It then exits, whatever else the task modules it loaded left open.
 *
 * @packageDocumentation
 */
import { runWorker } from './run-worker.js';

function numberFrom(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`${name} must be a number, got ${value}`);
  return parsed;
}

async function main(connection: string): Promise<void> {
  const queueName = process.env.SPINDLE_QUEUE;
  const concurrency = numberFrom('SPINDLE_CONCURRENCY');
  const lockDuration = numberFrom('SPINDLE_LOCK_DURATION');
  const parkedLockDuration = numberFrom('SPINDLE_PARKED_LOCK_DURATION');
  const stalledInterval = numberFrom('SPINDLE_STALLED_INTERVAL');
  const maxStalledCount = numberFrom('SPINDLE_MAX_STALLED_COUNT');
  const worker = await runWorker({
    connection,
    ...(queueName === undefined || queueName === '' ? {} : { queueName }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(lockDuration === undefined ? {} : { lockDuration }),
    ...(parkedLockDuration === undefined ? {} : { parkedLockDuration }),
    ...(stalledInterval === undefined ? {} : { stalledInterval }),
    ...(maxStalledCount === undefined ? {} : { maxStalledCount }),
  });
  // A parent process (tests, a supervisor) may wait for this message before it sends work.
  process.send?.({ ready: worker.name, thread: worker.thread });
  process.stdout.write(`spindle-bullmq-worker ${worker.name} ready\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      // Asked twice: leave now. The jobs still held run again elsewhere once their locks
      // expire (BullMQ's stalled-job check).
      process.exit(1);
    }
    stopping = true;
    // However stopping goes (Redis gone, a job that never ends), leave once a lock's length
    // and a little have passed: what is still held runs again elsewhere.
    setTimeout(() => process.exit(1), (lockDuration ?? 30_000) + 5_000).unref();
    void worker.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // A parent that forked this process and goes away takes its workers with it.
  process.on('disconnect', stop);
}

const connection = process.argv[2] ?? process.env.SPINDLE_REDIS_URL;
if (connection === undefined || connection === '') {
  process.stderr.write('usage: spindle-bullmq-worker redis://host:6379 (or set SPINDLE_REDIS_URL)\n');
  process.exit(2);
}
main(connection).catch((error: unknown) => {
  process.stderr.write(`spindle-bullmq-worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
