// Soak through Redis: TOTAL small tasks (`echo(i)`) on the built package, run by WORKERS
// worker processes (the built command), with at most WINDOW in flight. Counts, per task, how
// often its handle settled and how often a settle event was published for it, checks each
// value, samples this process's memory after GC, and prints one JSON line last.
//   node --expose-gc soak-child.mjs [TOTAL=1000000] [WINDOW=4000] [WORKERS=2]
// Uses the Redis of SPINDLE_REDIS_URL, else starts its own redis-server on a free loopback
// port (and stops it). Used by soak.test.ts (short, in the normal run) and `pnpm soak` (long).
import { fork, spawn } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { channelNames, taskRef } from '@spindle/core';
import { BullmqExecutor } from '@spindle/bullmq';

const total = Number(process.argv[2] ?? 1_000_000);
const window = Number(process.argv[3] ?? 4_000);
const workerCount = Number(process.argv[4] ?? 2);
const samplesWanted = 40;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.once('error', reject);
    server.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}:\n${output}`)));
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => new Promise((resolve) => (server.once('exit', resolve), server.kill('SIGTERM'))) };
}

function startWorker(url, queueName) {
  const bin = fileURLToPath(new URL('../bin/spindle-bullmq-worker.mjs', import.meta.url));
  const child = fork(bin, [], { env: { ...process.env, SPINDLE_REDIS_URL: url, SPINDLE_QUEUE: queueName, SPINDLE_CONCURRENCY: '8' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with code ${code} before it was ready`)));
  });
}

function sample() {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

const given = process.env.SPINDLE_REDIS_URL;
const redis = given === undefined || given === '' ? await startRedis() : { url: given, stop: async () => undefined };
const queueName = `soak-${process.pid}`;
const workers = await Promise.all(Array.from({ length: workerCount }, () => startWorker(redis.url, queueName)));
const executor = new BullmqExecutor({ connection: redis.url, queueName });
const echo = taskRef(new URL('./tasks.mjs', import.meta.url), 'echo');

// Settlements per task, by the task's index; task ids (for the events) map to indices.
const handleSettles = new Uint8Array(total);
const eventSettles = new Uint8Array(total);
const indexOfId = new Map();
let wrong = 0;
let rejected = 0;
let strayEvents = 0;
const onSettle = (event) => {
  if (event.executor !== executor.label) return;
  const index = indexOfId.get(event.taskId);
  if (index === undefined) strayEvents++;
  else eventSettles[index]++;
};
subscribe(channelNames.settle, onSettle);

const samples = [];
const sampleEvery = Math.max(1, Math.floor(total / samplesWanted));
let spawned = 0;
let settled = 0;
const started = performance.now();
await new Promise((resolve) => {
  const spawnNext = () => {
    const i = spawned++;
    const handle = executor.spawn(echo, [i]);
    indexOfId.set(handle.id, i);
    const done = () => {
      // Its settle event came first (core publishes it as the task settles); a later one is stray.
      indexOfId.delete(handle.id);
      handleSettles[i]++;
      settled++;
      if (settled % sampleEvery === 0) samples.push({ tasks: settled, ...sample() });
      if (spawned < total) spawnNext();
      else if (settled === total) resolve();
    };
    handle.then(
      (value) => {
        if (value !== i) wrong++;
        done();
      },
      () => {
        rejected++;
        done();
      },
    );
  };
  for (let k = 0; k < Math.min(window, total); k++) spawnNext();
});
const seconds = (performance.now() - started) / 1000;
const { duplicateOutcomes } = executor.stats;
await executor.close();
unsubscribe(channelNames.settle, onSettle);
await Promise.all(
  workers.map(
    (child) =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  ),
);
await redis.stop();

const count = (counts, wanted) => counts.reduce((n, c) => n + (c === wanted ? 1 : 0), 0);
const mean = (list, key) => list.reduce((sum, s) => sum + s[key], 0) / Math.max(1, list.length);
const quarter = Math.max(1, Math.floor(samples.length / 4));
const early = samples.slice(quarter, 2 * quarter);
const late = samples.slice(-quarter);
const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
console.log(
  JSON.stringify({
    executor: 'bullmq',
    tasks: total,
    workers: workerCount,
    window,
    settled,
    // Per task: handles and settle events that settled exactly once, never, or more than once.
    handlesOnce: count(handleSettles, 1),
    handlesNever: count(handleSettles, 0),
    eventsOnce: count(eventSettles, 1),
    eventsNever: count(eventSettles, 0),
    strayEvents,
    wrong,
    rejected,
    duplicateOutcomes,
    seconds: Math.round(seconds * 10) / 10,
    tasksPerSecond: Math.round(total / seconds),
    gc: typeof globalThis.gc === 'function',
    heapEarlyMB: mb(mean(early, 'heapUsed')),
    heapLateMB: mb(mean(late, 'heapUsed')),
    rssEarlyMB: mb(mean(early, 'rss')),
    rssLateMB: mb(mean(late, 'rss')),
    samples: samples.length,
  }),
);
