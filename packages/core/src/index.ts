export type { TaskState, SettledState } from './contract/task-state.js';
export { isSettledState } from './contract/task-state.js';
export { SpindleError, TaskCancelledError, ExecutorClosedError, InvalidTaskError, InvalidOptionsError } from './contract/errors.js';
export type { InvalidTaskCode } from './contract/errors.js';
export type { ExecutorCapabilities, OrderingGuarantee } from './contract/capabilities.js';
export type { TaskHandle } from './contract/task-handle.js';
export type { TaskContext, TurnRequest } from './contract/context.js';
export { YieldPoint } from './contract/context.js';
export type { TaskFunction, StateMachine, Spawnable, SpawnArgs, SpawnResult, SpawnOptions, BodyResult } from './contract/body.js';
export type { TaskReference } from './contract/task-reference.js';
export { taskRef, isTaskReference } from './contract/task-reference.js';
export type { Executor, CloseOptions } from './contract/executor.js';
export type { Spawner } from './contract/spawner.js';
export { channelNames } from './contract/lifecycle-events.js';
export type {
  TaskEvent,
  TaskEventKind,
  TaskEventBase,
  SpawnEvent,
  StartEvent,
  SuspendEvent,
  WakeEvent,
  ResumeEvent,
  StealEvent,
  SettleEvent,
} from './contract/lifecycle-events.js';
