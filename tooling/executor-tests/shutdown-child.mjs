// Run by the executors' shutdown.test.ts (through describe-shutdown.ts) in a fresh node
// process, importing the BUILT packages: makes an executor with the factory module at argv[2]
// (a URL), starts tasks, closes it mid-flight (argv[3]: drain or cancel), checks every
// outcome, prints a JSON summary and then simply ends. It never calls process.exit: the process
// exits only if the executor left no handle open.
import { ExecutorClosedError, TaskCancelledError, taskRef } from '@spindle/core';

const { default: makeExecutor } = await import(process.argv[2]);
const mode = process.argv[3];
const fixtures = new URL('./shutdown-fixtures.mjs', import.meta.url);
const ref = (name) => taskRef(fixtures, name);
const problems = [];
const executor = makeExecutor();

const expected = [];
const handles = [];
for (let i = 0; i < 40; i++) {
  handles.push(executor.spawn(ref('work'), [20 + i]));
  expected.push(20 + i);
}
for (let i = 0; i < 10; i++) {
  handles.push(executor.spawn(ref('parent'), [4]));
  expected.push(120);
}
const parkedHandles = mode === 'cancel' ? [executor.spawn(ref('parked')), executor.spawn(ref('parked'))] : [];
// Once this short task is done, the others have started and are mid-flight.
await executor.spawn(ref('work'), [1]);

const reason = new Error('shutdown test');
const closing = executor.close(mode === 'cancel' ? { mode: 'cancel', reason } : { mode: 'drain' });
try {
  executor.spawn(ref('work'), [1]);
  problems.push('spawn after close was accepted');
} catch (error) {
  if (!(error instanceof ExecutorClosedError)) problems.push(`spawn after close threw ${String(error)}`);
}
await closing;

let fulfilled = 0;
let cancelled = 0;
const outcomes = await Promise.allSettled([...handles, ...parkedHandles]);
outcomes.forEach((outcome, i) => {
  if (outcome.status === 'fulfilled') {
    fulfilled++;
    if (outcome.value !== expected[i]) problems.push(`task ${i} fulfilled with ${String(outcome.value)}`);
  } else if (outcome.reason instanceof TaskCancelledError && mode === 'cancel') {
    cancelled++;
    if (outcome.reason.cause !== reason) problems.push(`task ${i} cancelled with another cause`);
  } else {
    problems.push(`task ${i} rejected: ${String(outcome.reason)}`);
  }
});
if (mode === 'drain' && fulfilled !== outcomes.length) problems.push(`drain: ${fulfilled} of ${outcomes.length} fulfilled`);
if (mode === 'cancel') {
  if (cancelled === 0) problems.push('cancel: nothing was cancelled');
  for (const handle of parkedHandles) if (handle.state !== 'cancelled') problems.push(`parked task ${handle.id} is ${handle.state}`);
}
console.log(JSON.stringify({ mode, tasks: outcomes.length, fulfilled, cancelled, lost: outcomes.length - fulfilled - cancelled, problems }));
if (problems.length > 0) process.exitCode = 1;
