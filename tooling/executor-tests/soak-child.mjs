// Soak: runs TOTAL small tasks through the executor that FACTORY (a module URL whose
// default export makes one) builds, in batches, sampling
// resident memory (after a forced GC when node runs with --expose-gc), and prints one JSON
// line: tasks, lost, the samples and the figures describe-soak.ts judges. Plain JavaScript
// on the BUILT package. Used by the executors' soak.test.ts (short, in CI) and `pnpm soak` (long).
//   node --expose-gc soak-child.mjs FACTORY [total=1000000] [batch=10000]
import { taskRef } from '@spindle/core';

const { default: makeExecutor } = await import(process.argv[2]);
const total = Number(process.argv[3] ?? 1_000_000);
const batch = Number(process.argv[4] ?? 10_000);
const samplesWanted = 40;
const echo = taskRef(new URL('./hostile-fixtures.mjs', import.meta.url), 'echo');
const executor = makeExecutor();
const closures = executor.capabilities.closures;

const plain = (_ctx, i) => i;
function* stepping(ctx, i) {
  yield ctx.yield();
  return i;
}
function* forking(ctx, i) {
  const a = ctx.spawn(plain, [i]);
  const b = ctx.spawn(stepping, [0]);
  return (yield ctx.join(a)) + (yield ctx.join(b));
}

function spawnOne(i) {
  if (!closures) return executor.spawn(echo, [i]);
  const kind = i % 100 === 0 ? forking : i % 2 === 0 ? stepping : plain;
  return executor.spawn(kind, [i]);
}

function sample() {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

const samples = [];
const sampleEvery = Math.max(1, Math.floor(total / batch / samplesWanted));
let settled = 0;
let wrong = 0;
const started = performance.now();
for (let done = 0, b = 0; done < total; b++) {
  const size = Math.min(batch, total - done);
  const handles = new Array(size);
  for (let k = 0; k < size; k++) handles[k] = spawnOne(done + k);
  const results = await Promise.all(handles);
  for (let k = 0; k < size; k++) {
    settled++;
    if (results[k] !== done + k) wrong++;
  }
  done += size;
  if (b % sampleEvery === 0 || done === total) samples.push({ tasks: done, ...sample() });
}
const seconds = (performance.now() - started) / 1000;
await executor.close();

// Levelling off: after warm-up (the first quarter of the samples), the last quarter must not
// sit far above the second quarter. Generous bounds: it catches growth with the count
// (a leak of even 100 bytes a task is 100 MB at a million), not allocator noise.
const mean = (list, key) => list.reduce((sum, s) => sum + s[key], 0) / Math.max(1, list.length);
const quarter = Math.max(1, Math.floor(samples.length / 4));
const early = samples.slice(quarter, 2 * quarter);
const late = samples.slice(-quarter);
const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
const figures = {
  executor: executor.capabilities.name,
  tasks: total,
  settled,
  wrong,
  lost: total - settled,
  seconds: Math.round(seconds * 10) / 10,
  tasksPerSecond: Math.round(total / seconds),
  gc: typeof globalThis.gc === 'function',
  rssEarlyMB: mb(mean(early, 'rss')),
  rssLateMB: mb(mean(late, 'rss')),
  rssMaxMB: mb(Math.max(...samples.map((s) => s.rss))),
  heapEarlyMB: mb(mean(early, 'heapUsed')),
  heapLateMB: mb(mean(late, 'heapUsed')),
  samples: samples.length,
};
console.log(JSON.stringify(figures));
