export { channels, currentThread, eventTime } from './channels.js';
export { holdEventClock, coarseEventClockInUse } from './event-clock.js';
export type { EventClockKind } from './event-clock.js';
export {
  batchChannel,
  batchChannelName,
  CODE_SPAN,
  EXECUTOR_CODES,
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
export { TaskEventLog } from './event-log.js';
export { flushTaskEvents } from './batch-log.js';
export {
  subscribeTaskEventStream,
  wantsTaskEventObjects,
  wantsObjects,
  publishTaskEvent,
  publishTaskEventObject,
  publishSpawn,
} from './event-stream.js';
export type { TaskEventStreamListener } from './event-stream.js';
