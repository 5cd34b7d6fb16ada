export { PoolExecutor, poolChannelNames } from './pool-executor.js';
export type { PoolStats, PoolWorkerStats, PoolGrowEvent, PoolRetireEvent } from './pool-executor.js';
export type { PoolOptions } from './options.js';
export { WorkerCrashedError, QueueFullError } from './errors.js';
export { WorkStealingDeque, EMPTY, RETRY } from './deque.js';
