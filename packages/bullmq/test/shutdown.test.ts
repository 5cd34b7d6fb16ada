// Shutdown: the shared drain and cancel tests (tooling/executor-tests) on an executor that
// runs its tasks on its in-process worker, built and imported in a fresh node process that
// must then exit on its own: no Redis connection, timer or worker left open.
import { inject } from 'vitest';
import { describeShutdown } from '@spindle/executor-tests/describe-shutdown';

// The child inherits these.
process.env.SPINDLE_REDIS_URL = inject('redisUrl');
process.env.SPINDLE_QUEUE = `shutdown-${process.pid}`;

describeShutdown('bullmq', {
  factoryModule: new URL('./shutdown-factory.mjs', import.meta.url),
  // Generous: a healthy child ends in a second or two; a hung one is killed and fails.
  childTimeoutMs: 60_000,
});
