import type { Recording } from './recording.js';
import { buildTimeline } from './timeline.js';

/** One entry of a Chrome Trace Event file (the fields Spindle writes). */
export interface TraceEvent {
  /** Phase: `X` complete slice, `s`/`f` flow start/end, `C` counter, `M` metadata, `i` instant. */
  readonly ph: 'X' | 's' | 'f' | 'C' | 'M' | 'i';
  readonly name: string;
  readonly cat?: string;
  readonly pid: number;
  readonly tid?: number;
  /** Microseconds since the start of the recording. */
  readonly ts?: number;
  /** Microseconds (`X` only). */
  readonly dur?: number;
  readonly id?: number;
  /** Flow end binds to the enclosing slice. */
  readonly bp?: 'e';
  /** Instant scope. */
  readonly s?: 'g' | 'p' | 't';
  readonly args?: Readonly<Record<string, unknown>>;
}

/** A Chrome Trace Event file in its JSON object form, as Perfetto and chrome://tracing open it. */
export interface ChromeTrace {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: 'ms';
  /** Shown by trace viewers as metadata: the clock origin and how many events were dropped. */
  readonly otherData: {
    readonly producer: string;
    /** Epoch milliseconds that `ts` 0 stands for. */
    readonly startTime: number;
    readonly droppedEvents: number;
  };
}

/** Options of {@link toChromeTrace}. */
export interface ChromeTraceOptions {
  /** `pid` written on every event. Default `process.pid`. */
  readonly pid?: number;
  /** Name shown for the process row. Default `spindle`. */
  readonly processName?: string;
}

/**
 * Writes a recording as Chrome Trace Event JSON: one row per thread (named by metadata
 * events), one `X` slice per step, flow arrows (`s` → `f`) from each spawn to the task's
 * first step and for each steal, and a counter track of ready tasks per executor. Write it
 * with `JSON.stringify` and open it in https://ui.perfetto.dev or chrome://tracing.
 *
 * Thread `n` is written as `tid: n + 1` (some viewers treat tid 0 as "no thread").
 */
export function toChromeTrace(recording: Recording, options?: ChromeTraceOptions): ChromeTrace {
  const timeline = buildTimeline(recording);
  const pid = options?.pid ?? process.pid;
  const origin = timeline.startTime;
  const us = (time: number): number => Math.round((time - origin) * 1000 * 1000) / 1000;
  const tid = (thread: number): number => thread + 1;
  const events: TraceEvent[] = [];
  if (timeline.threads.length > 0 || timeline.dropped > 0) {
    events.push({ ph: 'M', name: 'process_name', pid, args: { name: options?.processName ?? 'spindle' } });
  }
  for (const { thread, name } of timeline.threads) {
    events.push({ ph: 'M', name: 'thread_name', pid, tid: tid(thread), args: { name } });
    events.push({ ph: 'M', name: 'thread_sort_index', pid, tid: tid(thread), args: { sort_index: thread } });
  }
  if (timeline.dropped > 0) {
    events.push({ ph: 'i', name: `${timeline.dropped} events dropped (ring buffer full)`, cat: 'spindle', pid, tid: tid(0), ts: 0, s: 'g', args: { dropped: timeline.dropped } });
  }
  for (const slice of timeline.slices) {
    events.push({
      ph: 'X',
      name: slice.label,
      cat: 'step',
      pid,
      tid: tid(slice.thread),
      ts: us(slice.start),
      dur: Math.max(0, us(slice.end) - us(slice.start)),
      args: { taskId: slice.taskId, executor: slice.executor, body: slice.body, first: slice.first, ended: slice.ended },
    });
  }
  for (const marker of timeline.markers) {
    events.push({ ph: 'X', name: marker.label, cat: 'marker', pid, tid: tid(marker.thread), ts: us(marker.time), dur: 0 });
  }
  for (const flow of timeline.flows) {
    const name = flow.kind === 'spawn' ? 'spawn → first step' : 'steal';
    events.push({ ph: 's', name, cat: flow.kind, id: flow.id, pid, tid: tid(flow.fromThread), ts: us(flow.fromTime), args: { taskId: flow.taskId } });
    events.push({ ph: 'f', bp: 'e', name, cat: flow.kind, id: flow.id, pid, tid: tid(flow.toThread), ts: us(flow.toTime), args: { taskId: flow.taskId } });
  }
  for (const counter of timeline.counters) {
    events.push({ ph: 'C', name: `ready tasks: ${counter.executor}`, cat: 'queue', pid, ts: us(counter.time), args: { ready: counter.ready } });
  }
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: { producer: '@spindle/diagnostics', startTime: origin, droppedEvents: timeline.dropped },
  };
}
