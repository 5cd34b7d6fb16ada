import { Worker } from 'node:worker_threads';
import { InvalidOptionsError } from '@spindle/core';
import { eventTime } from '@spindle/core/events';
import { deliver, warnFinding } from './finding.js';
import type { FindingListener, StackFrame } from './finding.js';
import { formatMs } from './format.js';
import { checkThreshold } from './threshold.js';
import { watchdogSource } from './watchdog-source.js';

/** Options of {@link BlockedLoopDetector}. */
export interface BlockedLoopOptions {
  /** Report when the main thread's loop has not turned for longer than this. */
  readonly thresholdMs: number;
  /** Receives each finding on the main thread, once it runs again. Default: `process.emitWarning`. */
  readonly onFinding?: FindingListener;
  /**
   * Also write the report to standard error from the watchdog thread, at once, while the
   * main thread is still blocked (it may never come back). Default `false`.
   */
  readonly stderr?: boolean;
}

/** Messages from the watchdog worker. */
interface WatchdogReport {
  readonly blockedMs: number;
  readonly since: number;
  readonly stack: readonly StackFrame[];
  readonly error: string | undefined;
}

/**
 * Notices that the main thread's event loop stopped turning ("sync over async": a
 * synchronous loop, a huge JSON.parse, `Atomics.wait`, a sync file read) and reports the
 * JavaScript stack that is blocking it.
 *
 * A main-thread timer bumps a heartbeat word in a `SharedArrayBuffer` every
 * `thresholdMs / 4`. A watchdog worker polls it; when it stands still for longer than
 * `thresholdMs`, the worker attaches an inspector session to the main thread
 * (`inspector.Session#connectToMainThread()`), pauses it just long enough to read the call
 * frames, and resumes it. The finding reaches `onFinding` when the main thread runs again.
 *
 * Only the main thread is watched. Both the timer and the worker are unref'd: the detector
 * never keeps a program alive, except while {@link BlockedLoopDetector.watching} waits
 * for the watchdog to start. Pausing uses the inspector: it does not work while another
 * debugger holds the main thread paused.
 */
export class BlockedLoopDetector {
  readonly thresholdMs: number;
  private readonly onFinding: FindingListener;
  private readonly stderr: boolean;
  private worker: Worker | undefined = undefined;
  private timer: NodeJS.Timeout | undefined = undefined;
  private ready: Promise<void> | undefined = undefined;
  private online = false;

  /** @throws InvalidOptionsError for a threshold that is not a positive number */
  constructor(options: BlockedLoopOptions) {
    this.thresholdMs = checkThreshold('thresholdMs', options.thresholdMs);
    if (options.stderr !== undefined && typeof options.stderr !== 'boolean') {
      throw new InvalidOptionsError('stderr', `stderr must be a boolean, got ${String(options.stderr)}`);
    }
    this.onFinding = options.onFinding ?? warnFinding;
    this.stderr = options.stderr ?? false;
  }

  /** Starts the heartbeat and the watchdog; {@link BlockedLoopDetector.watching} resolves once the watchdog runs. */
  start(): this {
    if (this.worker !== undefined) return this;
    const heartbeat = new SharedArrayBuffer(4);
    const beat = new Int32Array(heartbeat);
    const interval = Math.max(1, this.thresholdMs / 4);
    const worker = new Worker(watchdogSource, {
      eval: true,
      workerData: { heartbeat, thresholdMs: this.thresholdMs, pollMs: Math.max(1, this.thresholdMs / 8), stderr: this.stderr },
      // The watchdog needs no stdin and must not share the process's standard streams.
      stdout: true,
      stderr: true,
    });
    worker.on('message', (message: WatchdogReport) => {
      this.report(message);
    });
    worker.on('error', (error: unknown) => {
      process.emitWarning(`@spindle/diagnostics: the blocked-loop watchdog failed: ${String(error)}`, 'SpindleDiagnosticsWarning');
    });
    this.ready = new Promise<void>((resolve) => {
      worker.once('online', () => {
        // Let go of the process again if watching() held it (see there).
        if (this.worker === worker) this.online = true;
        worker.unref();
        resolve();
      });
      worker.once('exit', () => {
        resolve();
      });
    });
    // Listeners first: adding a 'message' listener refs the worker again.
    worker.unref();
    this.worker = worker;
    this.timer = setInterval(() => {
      Atomics.add(beat, 0, 1);
    }, interval);
    this.timer.unref();
    return this;
  }

  /**
   * Resolves once the watchdog thread is running (blocking before that goes unnoticed).
   * Until then the watchdog keeps the process alive: otherwise `await detector.watching()`
   * at the top level of a module would find nothing else keeping the process alive, and
   * Node would end it silently with exit code 13 (an unsettled top-level await).
   */
  watching(): Promise<void> {
    if (!this.online) this.worker?.ref();
    return this.ready ?? Promise.resolve();
  }

  /** Stops the heartbeat and ends the watchdog thread. */
  stop(): this {
    clearInterval(this.timer);
    this.timer = undefined;
    void this.worker?.terminate();
    this.worker = undefined;
    this.ready = undefined;
    this.online = false;
    return this;
  }

  private report(message: WatchdogReport): void {
    const stack = message.stack;
    const lines = stack.map((f) => `    at ${f.functionName === '' ? '<anonymous>' : f.functionName} (${f.url}:${f.line}:${f.column})`);
    const cause = message.error === undefined ? '' : ` (the stack could not be read: ${message.error})`;
    deliver(this.onFinding, {
      kind: 'blocked-event-loop',
      blockedMs: message.blockedMs,
      since: message.since,
      thresholdMs: this.thresholdMs,
      stack,
      time: eventTime(),
      message:
        `blocked event loop: the main thread did not turn its event loop for ${formatMs(message.blockedMs)} or more (threshold ${formatMs(this.thresholdMs)}); synchronous work was running${cause}` +
        (lines.length > 0 ? `:\n${lines.join('\n')}` : ''),
    });
  }
}
