export { RoundRobinExecutor } from './round-robin-executor.js';
export type { RoundRobinStats } from './round-robin-executor.js';
export type { RoundRobinOptions } from './options.js';
