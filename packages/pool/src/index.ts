export { PoolExecutor } from './main/pool-executor.js';
export { poolChannelNames } from './main/pool-channels.js';
export type { PoolGrowEvent, PoolRetireEvent } from './main/pool-channels.js';
export type { PoolStats, PoolWorkerStats } from './main/pool-stats.js';
export type { PoolOptions } from './main/options.js';
export { WorkerCrashedError, QueueFullError } from './errors.js';
export { WorkStealingDeque, EMPTY, RETRY } from './shared/deque.js';
