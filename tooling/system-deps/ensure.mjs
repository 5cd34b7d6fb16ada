// Run by `pnpm test` before anything else. Two suites drive programs that npm cannot
// install: @spindle/diagnostics renders its HTML timeline in Chromium, and @spindle/bullmq's
// tests start a real redis-server. On a fresh Debian machine (root, apt reachable) this
// installs whichever is missing, so that the README's test command works there as it is;
// elsewhere it says what to install and stops, rather than letting those suites fail later.
import { execFileSync, spawnSync } from 'node:child_process';

const has = (command) => spawnSync('sh', ['-c', `command -v "${command}"`], { stdio: 'ignore' }).status === 0;

const wanted = [
  // CHROMIUM names another browser binary (see packages/diagnostics/test/chromium.ts).
  { command: process.env.CHROMIUM ?? 'chromium', debian: 'chromium', for: '@spindle/diagnostics (HTML timeline screenshots)' },
  { command: 'redis-server', debian: 'redis-server', for: '@spindle/bullmq (a real Redis)' },
];
const missing = wanted.filter((program) => !has(program.command));
if (missing.length > 0) {
  const list = missing.map((program) => `${program.command} for ${program.for}`).join('; ');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !has('apt-get')) {
    console.error(`The tests need ${list}. Install ${missing.map((program) => program.debian).join(' and ')} (Debian/Ubuntu: apt-get install) and run them again.`);
    process.exit(1);
  }
  console.log(`Installing from Debian for the tests: ${list}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing.map((program) => program.debian)], { stdio: 'inherit', env });
}
