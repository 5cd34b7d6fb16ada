import { fork, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { taskRef } from '@spindle/core';
import type { Executor } from '@spindle/core';
import { BullmqExecutor } from '@spindle/bullmq';
import { PoolExecutor } from '@spindle/pool';
import { spin } from '../pool-tasks/tasks.mjs';
import type { spindleInc, spindleSpin } from '../pool-tasks/tasks.mjs';
import type { Measurement } from '../results.js';
import type { BenchCase, Figure, Subject, Suite, SuiteOptions } from '../suite.js';
import { spindleSubject } from '../suite.js';

/** The pool suite's task module: worker processes load it by URL, as pool workers do. */
const tasksUrl = new URL('../pool-tasks/tasks.mjs', import.meta.url);
const incRef = taskRef<typeof spindleInc>(tasksUrl, 'spindleInc');
const spinRef = taskRef<typeof spindleSpin>(tasksUrl, 'spindleSpin');

const pool = spindleSubject('@spindle/pool');
const bullmq = spindleSubject('@spindle/bullmq');
const workersSubject = (n: number): string => `${bullmq}-${n}-worker${n === 1 ? '' : 's'}`;

/** Sizes; quick mode (CI smoke) keeps the suite to seconds. */
interface Sizes {
  readonly tinyTasks: number;
  readonly cpuTasks: number;
  /** Length of one CPU-heavy task, in ms. */
  readonly cpuMillis: number;
}
const fullSizes: Sizes = { tinyTasks: 20_000, cpuTasks: 400, cpuMillis: 5 };
const quickSizes: Sizes = { tinyTasks: 2_000, cpuTasks: 60, cpuMillis: 5 };
/** Worker processes of the scaling case: one, then more, up to this. */
const MAX_WORKERS = 3;

// ---------------------------------------------------------------------------------------
// Redis and worker processes, outside every timed region.

/** The worker command of the installed @spindle/bullmq. */
function workerBin(): string {
  const manifest = createRequire(import.meta.url).resolve('@spindle/bullmq/package.json');
  return path.join(path.dirname(manifest), 'dist/bin.js');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no free port'));
      });
    });
  });
}

/** The suite's Redis while some cluster uses it; started for the first, stopped after the last. */
let redisServer: { readonly url: Promise<string>; users: number; stop(): Promise<void> } | undefined;

/**
 * The Redis the suite runs against: SPINDLE_REDIS_URL, else a `redis-server` of its own on
 * a free loopback port (no persistence), stopped when the last cluster using it closes, so
 * nothing outlives the run however the process ends.
 */
function useRedis(): Promise<string> {
  const existing = process.env.SPINDLE_REDIS_URL;
  if (existing !== undefined && existing !== '') return Promise.resolve(existing);
  if (redisServer === undefined) {
    let child: ChildProcess | undefined;
    const url = (async () => {
      const port = await freePort();
      const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      child = server;
      await new Promise<void>((resolve, reject) => {
        let output = '';
        server.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Ready to accept connections')) resolve();
        });
        server.once('exit', (code) => {
          reject(new Error(`redis-server exited with code ${String(code)}: ${output}`));
        });
      });
      server.stdout.destroy();
      return `redis://127.0.0.1:${port}`;
    })();
    redisServer = {
      url,
      users: 0,
      stop: async () => {
        const server = child;
        if (server?.exitCode !== null) return;
        const exited = new Promise<void>((resolve) => {
          server.once('exit', () => {
            resolve();
          });
        });
        server.kill('SIGTERM');
        await exited;
      },
    };
  }
  redisServer.users++;
  return redisServer.url;
}

/** A cluster is done with the suite's Redis. */
async function releaseRedis(): Promise<void> {
  const server = redisServer;
  if (server === undefined || --server.users > 0) return;
  redisServer = undefined;
  await server.stop();
}

/** Why the suite cannot run here, or undefined if it can. */
function unavailable(): string | undefined {
  if (process.env.SPINDLE_REDIS_URL !== undefined && process.env.SPINDLE_REDIS_URL !== '') return undefined;
  if (spawnSync('redis-server', ['--version']).error !== undefined) {
    return 'redis-server is not installed (apt-get install -y redis-server) and SPINDLE_REDIS_URL is unset';
  }
  return undefined;
}

/** Forks `count` worker processes on `queueName` and resolves once each is ready. */
async function startWorkers(url: string, queueName: string, count: number): Promise<ChildProcess[]> {
  const env = { ...process.env, SPINDLE_REDIS_URL: url, SPINDLE_QUEUE: queueName };
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ChildProcess>((resolve, reject) => {
          const child = fork(workerBin(), [], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
          child.once('message', () => {
            resolve(child);
          });
          child.once('exit', (code) => {
            reject(new Error(`a bullmq worker process exited with code ${String(code)} before it was ready`));
          });
        }),
    ),
  );
}

async function stopWorkers(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          child.once('exit', () => {
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

let queues = 0;

/** An executor (and its worker processes) made on the subject's first run, which is not timed. */
interface Cluster {
  readonly executor: Executor;
  close(): Promise<void>;
}

async function bullmqCluster(workers: number): Promise<Cluster> {
  const url = await useRedis();
  const queueName = `bench-${process.pid}-${++queues}`;
  const children = await startWorkers(url, queueName, workers);
  const executor = new BullmqExecutor({ connection: url, queueName, label: `bench:bullmq-${workers}` });
  return {
    executor,
    close: async () => {
      await executor.close();
      await stopWorkers(children);
      if (process.env.SPINDLE_REDIS_URL === undefined || process.env.SPINDLE_REDIS_URL === '') await releaseRedis();
    },
  };
}

async function poolCluster(threads: number): Promise<Cluster> {
  const executor = new PoolExecutor({ threads, label: `bench:pool-${threads}` });
  await executor.ready();
  return { executor, close: () => executor.close() };
}

function subjectOn(subject: string, runs: string, create: () => Promise<Cluster>, body: (executor: Executor) => Promise<number>): Subject {
  let cluster: Promise<Cluster> | undefined;
  return {
    subject,
    runs,
    run: async () => body((await (cluster ??= create())).executor),
    dispose: async () => {
      const open = cluster;
      cluster = undefined;
      await (await open)?.close();
    },
  };
}

// ---------------------------------------------------------------------------------------
// Workloads and figures.

function burstOfTiny(n: number): (executor: Executor) => Promise<number> {
  return async (executor) => {
    const all: PromiseLike<number>[] = [];
    for (let i = 0; i < n; i++) all.push(executor.spawn(incRef, [i]));
    let sum = 0;
    for (const value of await Promise.all(all)) sum += value;
    return sum;
  };
}

function burstOfCpu(n: number, iterations: number): (executor: Executor) => Promise<number> {
  return async (executor) => {
    const all: PromiseLike<number>[] = [];
    for (let i = 0; i < n; i++) all.push(executor.spawn(spinRef, [iterations, i]));
    let sum = 0;
    for (const value of await Promise.all(all)) sum += value;
    return sum;
  };
}

/** Rounds of `spin` that take about `ms` on this thread. */
function calibrate(ms: number): number {
  for (let i = 0; i < 20; i++) spin(100_000, i);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    spin(1_000_000, i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const perRound = (times[2] ?? 1) / 1_000_000;
  return Math.max(1, Math.round(ms / perRound));
}

function throughput(rows: readonly Measurement[]): Figure[] {
  return rows.flatMap((row) =>
    row.failed === undefined && Number.isFinite(row.median)
      ? [{ subject: row.subject, metric: 'throughput', median: 1e9 / row.median, unit: 'tasks/s', samples: row.samples }]
      : [],
  );
}

function buildCases(options: SuiteOptions): BenchCase[] {
  const reason = unavailable();
  if (reason !== undefined) {
    process.stderr.write(`bench: bullmq suite skipped: ${reason}\n`);
    return [];
  }
  const sizes = options.quick ? quickSizes : fullSizes;
  const threads = Math.max(1, Math.min(options.threads, MAX_WORKERS));
  // Runs take from a fraction of a second to seconds: few samples.
  const timing = { rounds: 1, iterations: options.quick ? 2 : 5, warmupIterations: 0, warmupTime: 0, time: 0 };
  const tiny = sizes.tinyTasks;
  const iterations = calibrate(sizes.cpuMillis);
  const cpuExpected = (() => {
    let sum = 0;
    for (let i = 0; i < sizes.cpuTasks; i++) sum += spin(iterations, i);
    return sum;
  })();
  const cpuRuns = `burst of ${sizes.cpuTasks} tasks of ~${sizes.cpuMillis} ms of CPU, then await all`;
  return [
    {
      name: `tiny/burst-${tiny / 1000}k`,
      description: `${tiny.toLocaleString('en-US')} tasks returning their argument + 1 in one burst: the cost of going through Redis (${threads} pool threads vs ${threads} worker processes, one host)`,
      opsPerRun: tiny,
      op: 'task',
      expected: (tiny * (tiny + 1)) / 2,
      baseline: pool,
      timing,
      subjects: [
        subjectOn(pool, `burst of ${tiny.toLocaleString('en-US')} \`n + 1\` tasks, ${threads} threads`, () => poolCluster(threads), burstOfTiny(tiny)),
        subjectOn(bullmq, `the same through Redis, ${threads} worker processes`, () => bullmqCluster(threads), burstOfTiny(tiny)),
      ],
      figures: throughput,
    },
    {
      name: `cpu/${sizes.cpuTasks}-tasks`,
      description: `${sizes.cpuTasks} CPU-bound tasks of ~${sizes.cpuMillis} ms in one burst (${threads} pool threads vs ${threads} worker processes, one host)`,
      opsPerRun: sizes.cpuTasks,
      op: 'task',
      expected: cpuExpected,
      baseline: pool,
      timing,
      subjects: [
        subjectOn(pool, `${cpuRuns}, ${threads} threads`, () => poolCluster(threads), burstOfCpu(sizes.cpuTasks, iterations)),
        subjectOn(bullmq, `${cpuRuns}, ${threads} worker processes`, () => bullmqCluster(threads), burstOfCpu(sizes.cpuTasks, iterations)),
      ],
      figures: throughput,
    },
    {
      name: `scaling/${sizes.cpuTasks}-cpu-tasks`,
      description: `the same CPU-bound burst on 1 to ${MAX_WORKERS} worker processes (one host, ${options.threads} cores: past the cores, processes share them)`,
      opsPerRun: sizes.cpuTasks,
      op: 'task',
      expected: cpuExpected,
      baseline: workersSubject(1),
      timing,
      subjects: Array.from({ length: MAX_WORKERS }, (_, i) =>
        subjectOn(workersSubject(i + 1), `${cpuRuns}, ${i + 1} worker process${i === 0 ? '' : 'es'}`, () => bullmqCluster(i + 1), burstOfCpu(sizes.cpuTasks, iterations)),
      ),
      figures: (rows) => {
        const one = rows.find((row) => row.subject === workersSubject(1));
        return [
          ...throughput(rows),
          ...rows.flatMap((row) =>
            one === undefined || row.failed !== undefined || !Number.isFinite(row.median)
              ? []
              : [{ subject: row.subject, metric: 'speedup over 1 worker', median: one.median / row.median, unit: 'x', samples: row.samples }],
          ),
        ];
      },
    },
  ];
}

export const bullmqSuite: Suite = {
  name: 'bullmq',
  description: '@spindle/bullmq on one host against @spindle/pool (the cost of going distributed), and scaling from 1 to 3 worker processes; needs redis-server',
  packages: ['@spindle/core', '@spindle/bullmq', '@spindle/pool', 'bullmq'],
  cases: (options) => buildCases(options),
};
