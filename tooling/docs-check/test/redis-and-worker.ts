// What a bullmq example needs, as its reader would set it up: a Redis server (Debian's
// `redis-server` on a free loopback port, no persistence) and a `spindle-bullmq-worker`
// process started from the project's node_modules, as `npx spindle-bullmq-worker` would.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

/** A child process the test started, and how to end it. */
export interface Started {
  /** Everything it wrote, for a failure message. */
  output(): string;
  /** Sends SIGTERM and resolves once it has exited. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Starts `child` and resolves once its output contains `ready`, or rejects if it exits first. */
function started(child: ChildProcess, ready: string, what: string): Promise<Started> {
  let output = '';
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      const before = output.includes(ready);
      output += chunk.toString();
      if (!before && output.includes(ready)) {
        resolve({
          output: () => output,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`${what} exited with code ${String(code)} before it was ready:\n${output}`));
    });
  });
}

/** A fresh Redis on a free loopback port; `url` is its address. */
export async function startRedis(): Promise<Started & { url: string }> {
  if (spawnSync('redis-server', ['--version']).error !== undefined) {
    throw new Error('the bullmq examples need redis-server on PATH (Debian: apt-get install -y redis-server)');
  }
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
  const server = await started(spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] }), 'Ready to accept connections', 'redis-server');
  return { ...server, url: `redis://127.0.0.1:${String(port)}` };
}

/** One `spindle-bullmq-worker` process on `url`, run in the project at `projectDir`. */
export function startBullmqWorker(projectDir: string, url: string): Promise<Started> {
  const bin = path.join(projectDir, 'node_modules/@spindle/bullmq/bin/spindle-bullmq-worker.mjs');
  const child = spawn(process.execPath, [bin, url], { cwd: projectDir, stdio: ['ignore', 'pipe', 'pipe'] });
  return started(child, 'ready', 'spindle-bullmq-worker');
}
