export { Recorder } from './recorder.js';
export type { RecorderOptions } from './recorder.js';
export type { Recording } from './recording.js';
export { emptyRecording } from './recording.js';
export { subscribeTaskEvents, isTaskEvent, FORWARD_CHANNEL } from './task-event-source.js';
export type { TaskEventListener, TaskEventSourceOptions } from './task-event-source.js';
export { forwardEvents } from './forward-events.js';
export type { ForwardEventsOptions, EventForwarder } from './forward-events.js';
export { buildTimeline } from './timeline.js';
export type { Timeline, TimelineThread, TimelineSlice, TimelineMarker, TimelineFlow, TimelineCounter, TimelineTask, TimelineWait } from './timeline.js';
export { toChromeTrace } from './chrome-trace.js';
export type { ChromeTrace, ChromeTraceOptions, TraceEvent } from './chrome-trace.js';
export { toHtmlTimeline, SLICE_COLORS, TIMELINE_COLORS } from './html-timeline.js';
export type { HtmlTimelineOptions } from './html-timeline.js';
export type { StepEnd } from './task-tracker.js';
export { Metrics } from './metrics.js';
export type { MetricsOptions } from './metrics.js';
export type { MetricsSnapshot, ExecutorMetrics, ThreadMetrics, TaskMetrics, Gauge } from './metrics-snapshot.js';
export type { HistogramSummary } from './histogram.js';
export type { TrackedState } from './task-tracker.js';
export { watch } from './watch.js';
export type { WatchOptions, Watcher } from './watch.js';
export { BlockedLoopDetector } from './blocked-loop-detector.js';
export type { BlockedLoopOptions } from './blocked-loop-detector.js';
export { LongStepDetector } from './long-step-detector.js';
export { StarvationDetector } from './starvation-detector.js';
export { LostWakeupDetector } from './lost-wakeup-detector.js';
export type { LostWakeupOptions } from './lost-wakeup-detector.js';
export { WaitCycleDetector } from './wait-cycle-detector.js';
export type { Detector, DetectorOptions, ThresholdOptions } from './detector-options.js';
export { warnFinding } from './finding.js';
export type {
  Finding,
  FindingListener,
  FindingTask,
  LongStepFinding,
  StarvationFinding,
  LostWakeupFinding,
  WaitCycleFinding,
  BlockedLoopFinding,
  StackFrame,
} from './finding.js';
