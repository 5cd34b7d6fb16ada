import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { MachineFacts } from './results.js';

/** What the figures were measured on. */
export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: os.platform(),
    arch: os.arch(),
    osRelease: os.release(),
    node: process.version,
    v8: process.versions.v8,
  };
}

const require = createRequire(import.meta.url);

/**
 * The installed version of each package, as this app resolves it: found from the
 * package's entry point upwards, so packages that do not export `package.json` work too.
 */
export function packageVersions(names: Iterable<string>): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of [...new Set(names)].sort()) versions[name] = packageVersion(name);
  return versions;
}

function packageVersion(name: string): string {
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    return 'unresolved';
  }
  for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
    const manifest = readManifest(path.join(dir, 'package.json'));
    if (manifest?.name === name) return manifest.version ?? 'unknown';
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

function readManifest(file: string): { name?: string; version?: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { name, version } = parsed as { name?: unknown; version?: unknown };
    return {
      ...(typeof name === 'string' ? { name } : {}),
      ...(typeof version === 'string' ? { version } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The repository's commit, and whether the working tree differs from it; `undefined` outside a git checkout. */
export function gitState(): { readonly commit: string | undefined; readonly dirty: boolean | undefined } {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', 'HEAD');
    // The results file itself does not count: a run rewrites it.
    const changes = git('status', '--porcelain', '--', ':/', ':(exclude,top)apps/bench/results');
    return { commit: /^[0-9a-f]{40}$/.test(commit) ? commit : undefined, dirty: changes !== '' };
  } catch {
    return { commit: undefined, dirty: undefined };
  }
}
