export { describeExecutorConformance } from './describe-executor-conformance.js';
export type { ConformanceOptions, ConformanceScale } from './options.js';
