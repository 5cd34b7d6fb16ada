/**
 * The watchdog worker, as source text: run with `new Worker(source, { eval: true })` so
 * that it needs no file next to the bundle (ESM, CJS and tests alike). Plain JavaScript,
 * CommonJS, kept small.
 *
 * It polls the heartbeat word the main thread increments from a timer. When the word has
 * not moved for longer than the threshold, the main thread's loop is blocked: the worker
 * connects an inspector session to the main thread, enables the debugger, pauses it (V8
 * services the pause from inside the running JavaScript, blocked or not), reads the call
 * frames, resumes, disables the debugger, and posts the stack. One report per blockage.
 */
export const watchdogSource = String.raw`
'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const inspector = require('node:inspector');
const { writeSync } = require('node:fs');
const beat = new Int32Array(workerData.heartbeat);
const threshold = workerData.thresholdMs;
let last = Atomics.load(beat, 0);
let since = performance.now();
let reported = false;
let busy = false;

function frames(callFrames, urls) {
  return callFrames.map((f) => ({
    functionName: f.functionName,
    url: f.url || urls.get(f.location.scriptId) || '',
    line: f.location.lineNumber + 1,
    column: (f.location.columnNumber || 0) + 1,
  }));
}

function capture(blockedMs, sinceEpoch) {
  busy = true;
  const session = new inspector.Session();
  const urls = new Map();
  let done = false;
  const finish = (stack, error) => {
    if (done) return;
    done = true;
    try { session.disconnect(); } catch {}
    busy = false;
    const message = { blockedMs, since: sinceEpoch, stack, error };
    if (workerData.stderr) {
      const lines = stack.map((f) => '    at ' + (f.functionName || '<anonymous>') + ' (' + f.url + ':' + f.line + ':' + f.column + ')');
      try { writeSync(2, '[spindle] blocked event loop: the main thread has not turned its loop for ' + blockedMs.toFixed(0) + ' ms\n' + lines.join('\n') + '\n'); } catch {}
    }
    parentPort.postMessage(message);
  };
  try {
    session.connectToMainThread();
    session.on('Debugger.scriptParsed', (m) => { urls.set(m.params.scriptId, m.params.url); });
    session.on('Debugger.paused', (m) => {
      const stack = frames(m.params.callFrames, urls);
      session.post('Debugger.resume', () => {
        session.post('Debugger.disable', () => finish(stack, undefined));
      });
    });
    session.post('Debugger.enable', (error) => {
      if (error) return finish([], String(error.message || error));
      session.post('Debugger.pause', (pauseError) => { if (pauseError) finish([], String(pauseError.message || pauseError)); });
    });
  } catch (error) {
    finish([], String(error && error.message || error));
  }
}

setInterval(() => {
  const now = performance.now();
  const value = Atomics.load(beat, 0);
  if (value !== last) {
    last = value;
    since = now;
    reported = false;
    return;
  }
  if (!reported && !busy && now - since > threshold) {
    reported = true;
    // Epoch ms, the clock every thread shares (each thread's performance.now() has its own origin).
    capture(now - since, performance.timeOrigin + since);
  }
}, workerData.pollMs);
`;
