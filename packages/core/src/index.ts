export type { TaskState, SettledState } from './task-state.js';
export { isSettledState } from './task-state.js';
export {
  SpindleError,
  TaskCancelledError,
  ExecutorClosedError,
  InvalidTaskError,
  InvalidOptionsError,
  describeTask,
  describeValue,
} from './errors.js';
export type { InvalidTaskCode } from './errors.js';
export type { ExecutorCapabilities, OrderingGuarantee } from './capabilities.js';
export type { TaskHandle } from './task-handle.js';
export type { TaskContext, TurnRequest } from './context.js';
export { YieldPoint } from './context.js';
export type {
  TaskFunction,
  StateMachine,
  Spawnable,
  SpawnArgs,
  SpawnResult,
  SpawnOptions,
  BodyResult,
} from './body.js';
export type { TaskReference } from './task-reference.js';
export { taskRef, isTaskReference, loadTaskReference, loadedTaskReference } from './task-reference.js';
export { assertCloneable } from './cloneable.js';
export type { Executor, CloseOptions } from './executor.js';
export { channelNames, channels, eventTime, currentThread } from './events.js';
export { holdEventClock, coarseEventClockInUse } from './event-clock.js';
export type { EventClockKind } from './event-clock.js';
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
} from './events.js';
export {
  batchChannel,
  batchChannelName,
  CODE_SPAN,
  TaskEventCode,
  TaskEventDecoder,
  forEachTaskEvent,
  compactTaskEvent,
  packedSpawnEvent,
  packedSettleEvent,
  taskEventRecord,
  taskEventRecordCode,
  taskEventRecordTaskId,
  taskEventRecordWeight,
} from './event-batch.js';
export type { TaskEventBatch, TaskEventCodeValue, WholeStepCode } from './event-batch.js';
export { TaskEventLog, flushTaskEvents } from './event-log.js';
export { subscribeTaskEventStream, wantsTaskEventObjects, wantsObjects, publishTaskEvent, publishTaskEventObject, publishSpawn } from './event-stream.js';
export type { TaskEventStreamListener } from './event-stream.js';
export { RingQueue } from './ring-queue.js';
export { Coroutine, Step, Interrupt, isThenable } from './coroutine.js';
export type { StepOutcome, InterruptMode, InstructionHandler } from './coroutine.js';
export { Task } from './task.js';
export type { TaskOwner } from './task.js';
export { validateSpawn, describeBody } from './spawn-input.js';
export { ExecutorBase, Listening } from './executor-base.js';
export { TimeSlice } from './time-slice.js';
export { resolveSliceOptions } from './slice-options.js';
export type { SliceOptions, ResolvedSliceOptions } from './slice-options.js';
