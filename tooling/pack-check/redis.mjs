// A Redis for the consumer projects, for executors that need one (@spindle/bullmq): the
// server SPINDLE_REDIS_URL points at, else Debian's `redis-server` started on a free
// loopback port (no persistence, not daemonised) and stopped when the check ends. The
// consumers get its URL as SPINDLE_REDIS_URL, which such executors read when they are
// constructed with no options.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

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

/** @returns {Promise<{ url: string, note: string, stop: () => Promise<void> } | undefined>} undefined when there is no Redis to be had */
export async function startRedis() {
  const existing = process.env.SPINDLE_REDIS_URL;
  if (existing) return { url: existing, note: `Redis at SPINDLE_REDIS_URL (${existing})`, stop: async () => {} };
  if (spawnSync('redis-server', ['--version']).error) return undefined;
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve();
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.once('error', reject);
    server.once('exit', (code) => reject(new Error(`redis-server exited with code ${code} before it was ready:\n${output}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    note: `redis-server on 127.0.0.1:${port} for this run`,
    stop: async () => {
      if (server.exitCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    },
  };
}
