// Vitest global setup: a real Redis for the tests. Starts Debian's `redis-server` on a free
// loopback port (no persistence, not daemonised) and stops it afterwards, or uses the
// server SPINDLE_REDIS_URL points at. Tests read the URL with inject('redisUrl').
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
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

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const existing = process.env.SPINDLE_REDIS_URL;
  if (existing !== undefined && existing !== '') {
    project.provide('redisUrl', existing);
    return undefined;
  }
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined) {
    throw new Error(
      '@spindle/bullmq tests need a real Redis: redis-server was not found on PATH. ' +
        'Install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis), ' +
        'or set SPINDLE_REDIS_URL=redis://host:port to use a running server.',
    );
  }
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.once('error', reject);
    server.once('exit', (code) => {
      reject(new Error(`redis-server exited with code ${String(code)} before it was ready:\n${output}`));
    });
  });
  const url = `redis://127.0.0.1:${port}`;
  project.provide('redisUrl', url);
  return async () => {
    if (server.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      server.once('exit', () => {
        resolve();
      });
    });
    server.kill('SIGTERM');
    await exited;
  };
}
