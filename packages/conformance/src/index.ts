export { describeExecutorConformance } from './describe-executor-conformance.js';
export { taskEventProblems } from './task-event-order.js';
export type { ConformanceOptions, ConformanceScale } from './options.js';
export { describeExecutorProperties } from './properties/describe-executor-properties.js';
export type { PropertyOptions } from './properties/describe-executor-properties.js';
export type { Program, Node as ProgramNode, Op as ProgramOp } from './properties/contract-model.js';
