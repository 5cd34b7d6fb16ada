import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EXECUTOR_COPIES, copyExecutors, executorDist } from './executor-copies.js';
import type { CopiedExecutor } from './executor-copies.js';
import { differingFiles } from './same-build.js';

/** Two builds of `@spindle/core` from its sources that differ only in `__SPINDLE_EVENTS__`: the folder of each. */
export interface CoreBuilds {
  /** Events compiled in (as in every published build): `__SPINDLE_EVENTS__` true. The same JavaScript as core's installed build. */
  readonly withEvents: string;
  /** No event code: `__SPINDLE_EVENTS__` false; what it guarded is under a constant false condition. */
  readonly withoutEvents: string;
}

const execFileAsync = promisify(execFile);
const buildChild = fileURLToPath(new URL('./tsup-build-child.ts', import.meta.url));

/**
 * Builds core's ES modules into `outDir` the way its own `build` script does (its tsup,
 * its tsup config, in its folder) but for `__SPINDLE_EVENTS__` (see `esmBuildOptions`):
 * in a child process, since tsup reads entry points, tsconfig and package from the working
 * directory, and core's tsup config is TypeScript (loaded with this bench's tsx).
 */
async function tsupBuild(dir: string, events: boolean, outDir: string): Promise<void> {
  const tsx = import.meta.resolve('tsx/esm');
  await execFileAsync(process.execPath, ['--import', tsx, buildChild, JSON.stringify({ outDir, events })], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
}

/** Core's package folder, as this workspace installs it: its sources are beside its build. */
export function coreDir(): string {
  const dir = path.dirname(fileURLToPath(import.meta.resolve('@spindle/core/package.json')));
  if (!existsSync(path.join(dir, 'src'))) throw new Error(`@spindle/bench: core's sources are not beside its package (${dir}): the idle-cost cases build core from them`);
  return dir;
}

/**
 * Core's entry points by the specifier executors import them with, each the file name of
 * its build, read from core's package exports.
 * @throws Error when core exports an entry point this bench does not build
 */
export function coreEntryFiles(dir: string): Map<string, string> {
  const { exports } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { exports: Record<string, { import?: { default?: string } } | string> };
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries(exports)) {
    if (typeof target === 'string') continue;
    const file = path.basename(target.import?.default ?? '');
    if (file === '') throw new Error(`@spindle/bench: core exports ${subpath} with no ES module file: the idle-cost builds send executors' imports to those`);
    entries.set(path.posix.join('@spindle/core', subpath), file);
  }
  return entries;
}

/** Every file under `dir` (relative to `root`), by path relative to `root`, sorted. */
function filesUnder(root: string, dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) return filesUnder(root, relative);
      return entry.isFile() ? [relative] : [];
    })
    .sort();
}

/** A tsconfig and every file it extends, in order. */
function tsconfigChain(file: string): string[] {
  const { extends: parents } = JSON.parse(readFileSync(file, 'utf8')) as { extends?: string | string[] };
  const chain = [file];
  for (const parent of parents === undefined ? [] : [parents].flat()) chain.push(...tsconfigChain(createRequire(file).resolve(parent)));
  return chain;
}

/**
 * What the builds are made from: this folder of the bench (the build settings, the copies,
 * the checks), core's tsup (its package file) and tsup config, core's sources, package file,
 * tsconfigs and installed ES module build, and the executors' builds. Builds are kept under
 * this key, so that none is used after any of it changes.
 */
function buildKey(dir: string): string {
  const hash = createHash('sha256');
  const add = (file: string): void => {
    hash.update(`${file}\n`).update(readFileSync(file)).update('\n');
  };
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const file of filesUnder(here, '.')) add(path.join(here, file));
  add(createRequire(path.join(dir, 'package.json')).resolve('tsup/package.json'));
  add(path.join(dir, 'tsup.config.ts'));
  for (const file of filesUnder(dir, 'src')) add(path.join(dir, file));
  for (const file of readBuild(path.join(dir, 'dist')).keys()) add(path.join(dir, 'dist', file));
  add(path.join(dir, 'package.json'));
  for (const file of tsconfigChain(path.join(dir, 'tsconfig.json'))) add(file);
  for (const packageName of Object.keys(EXECUTOR_COPIES)) add(executorDist(packageName as CopiedExecutor));
  return hash.digest('hex').slice(0, 20);
}

/** The JavaScript files of a build (and of the executors' copies beside it), by name. */
export function readBuild(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .filter((file) => file.endsWith('.js'))
      .map((file) => [file, readFileSync(path.join(dir, file), 'utf8')]),
  );
}

/** The JavaScript files of a build of core alone, by name: {@link readBuild} without the executors' copies. */
export function readCoreBuild(dir: string): Map<string, string> {
  const copies = new Set<string>(Object.values(EXECUTOR_COPIES));
  return new Map([...readBuild(dir)].filter(([file]) => !copies.has(file)));
}

/** Where the builds are kept: a folder per {@link buildKey} under the system's temporary folder. */
export const BUILDS_ROOT = path.join(os.tmpdir(), 'spindle-bench-core-builds');

/** What {@link makeBuilds} found wrong with core's installed build. */
export class InstalledBuildError extends Error {
  override readonly name = 'InstalledBuildError';
}

/**
 * Checks that `withEvents`, core built here with events, runs the same JavaScript as core's
 * installed ES module build (`dist/`), so that the idle cases measure what users install.
 * @throws InstalledBuildError naming the files that differ (core's build is stale: rebuild it)
 */
export function checkSameAsInstalled(dir: string, withEvents: string): void {
  const differing = differingFiles(readCoreBuild(path.join(dir, 'dist')), readCoreBuild(withEvents));
  if (differing.length > 0) {
    throw new InstalledBuildError(`@spindle/bench: core built with its tsup config here differs from its installed build in ${differing.join(', ')}: build core (pnpm --filter @spindle/core build) and run again`);
  }
}

/**
 * Builds core both ways into a new folder under {@link BUILDS_ROOT}, checks that the one
 * with events is core's installed build and that the two differ by their event code,
 * writes the executors' copies beside each, and moves the folder to its key's name (another
 * process that got there first wins; its builds are the same).
 */
async function makeBuilds(dir: string, final: string): Promise<void> {
  mkdirSync(BUILDS_ROOT, { recursive: true });
  const partial = mkdtempSync(path.join(BUILDS_ROOT, '.partial-'));
  try {
    const entries = coreEntryFiles(dir);
    const out = { withEvents: path.join(partial, 'with-events'), withoutEvents: path.join(partial, 'without-events') };
    await Promise.all([tsupBuild(dir, true, out.withEvents), tsupBuild(dir, false, out.withoutEvents)]);
    checkSameAsInstalled(dir, out.withEvents);
    // TypeScript's parser is loaded only to check a new pair of builds.
    const { checkEventSwitch } = await import('./event-code-scan.js');
    checkEventSwitch(readBuild(out.withEvents), readBuild(out.withoutEvents));
    for (const outDir of [out.withEvents, out.withoutEvents]) {
      for (const file of entries.values()) {
        if (!existsSync(path.join(outDir, file))) throw new Error(`@spindle/bench: core's tsup build wrote no ${file}, which core's package exports`);
      }
      copyExecutors(outDir, entries);
      // ES modules, as core's own package says its `.js` files are: without this, a folder
      // in the temporary directory is CommonJS scope, and a loader such as tsx (which runs
      // the bench) turns the files into CommonJS, every import a getter call.
      writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify({ type: 'module', sideEffects: false })}\n`);
    }
    try {
      renameSync(partial, final);
    } catch (error) {
      if (!existsSync(final)) throw error;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

let builds: Promise<CoreBuilds> | undefined;

/**
 * `@spindle/core` built from its sources with events compiled in and with no event code,
 * the same way, each with copies of the executors in {@link EXECUTOR_COPIES} that import
 * it. Built once per change of what they are made from (see {@link buildKey}) and kept in
 * the system's temporary folder, so that a run's processes (`--isolate`) share them; asked
 * once per process.
 * @throws InstalledBuildError when the one with events is not core's installed build
 * @throws EventSwitchError when the two builds do not differ by their event code
 */
export function coreBuilds(): Promise<CoreBuilds> {
  builds ??= (async () => {
    const dir = coreDir();
    const final = path.join(BUILDS_ROOT, buildKey(dir));
    if (!existsSync(final)) await makeBuilds(dir, final);
    return { withEvents: path.join(final, 'with-events'), withoutEvents: path.join(final, 'without-events') };
  })();
  return builds;
}
