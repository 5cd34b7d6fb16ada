export { BullmqExecutor } from './bullmq-executor.js';
export type { BullmqStats } from './bullmq-executor.js';
export { runWorker } from './run-worker.js';
export type { SpindleWorker } from './run-worker.js';
export type { BullmqExecutorOptions, WorkerOptions, RedisConnection, BackoffOptions } from './options.js';
export { TaskTimeoutError, WorkerLostError } from './errors.js';
