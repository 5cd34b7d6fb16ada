import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, version as esbuildVersion } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { EXECUTOR_COPIES, copyExecutors, executorDist } from './executor-copies.js';
import type { CopiedExecutor } from './executor-copies.js';

/**
 * Core's entry points, as its tsup config names them: each is built to `<name>.js`, the
 * file name its package exports (`./dist/<name>.js`) use, so that executors' imports of
 * `@spindle/core`, `@spindle/core/kit` and `@spindle/core/events` can be sent to them.
 */
const CORE_ENTRIES: Readonly<Record<string, string>> = { index: 'src/index.ts', kit: 'src/kit/index.ts', events: 'src/events/index.ts' };

/** Two builds of `@spindle/core` from its sources that differ only in `__SPINDLE_EVENTS__`: the folder of each. */
export interface CoreBuilds {
  /** Events compiled in (as in every published build): `__SPINDLE_EVENTS__` true. */
  readonly withEvents: string;
  /** No event code at all: `__SPINDLE_EVENTS__` false, and the code it guarded removed. */
  readonly withoutEvents: string;
}

/**
 * The settings of both builds, which differ only in `events`: core's own build (one ES
 * module per entry point, shared chunks, Node 20, its tsconfig) with dead code removed
 * (`minifySyntax`: a constant false condition takes its branch with it). Names and
 * whitespace are kept, so profiles of either stay readable.
 */
export function coreBuildOptions(coreDir: string, events: boolean, outdir: string): BuildOptions {
  return {
    absWorkingDir: coreDir,
    entryPoints: CORE_ENTRIES,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: 'tsconfig.json',
    define: { __SPINDLE_EVENTS__: String(events) },
    minifySyntax: true,
    logLevel: 'silent',
  };
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
    if (CORE_ENTRIES[path.basename(file, '.js')] === undefined) {
      throw new Error(`@spindle/bench: core exports ${subpath} (${file}), which the idle-cost builds do not build: add its source to CORE_ENTRIES`);
    }
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
 * the check), esbuild's version, core's sources, package file and tsconfigs, and the
 * executors' builds. Builds are kept under this key, so that none is used after any of it
 * changes.
 */
function buildKey(dir: string): string {
  const hash = createHash('sha256').update(`esbuild ${esbuildVersion}\n`);
  const add = (file: string): void => {
    hash.update(`${file}\n`).update(readFileSync(file)).update('\n');
  };
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const file of filesUnder(here, '.')) add(path.join(here, file));
  for (const file of filesUnder(dir, 'src')) add(path.join(dir, file));
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

/** Where the builds are kept: a folder per {@link buildKey} under the system's temporary folder. */
export const BUILDS_ROOT = path.join(os.tmpdir(), 'spindle-bench-core-builds');

/**
 * Builds core both ways into a new folder under {@link BUILDS_ROOT}, writes the executors'
 * copies beside each, checks that the two differ by their event code, and moves the folder
 * to its key's name (another process that got there first wins; its builds are the same).
 */
async function makeBuilds(dir: string, final: string): Promise<void> {
  mkdirSync(BUILDS_ROOT, { recursive: true });
  const partial = mkdtempSync(path.join(BUILDS_ROOT, '.partial-'));
  try {
    const entries = coreEntryFiles(dir);
    for (const events of [true, false]) {
      const outdir = path.join(partial, events ? 'with-events' : 'without-events');
      await build(coreBuildOptions(dir, events, outdir));
      copyExecutors(outdir, entries);
    }
    // TypeScript's parser is loaded only to check a new pair of builds.
    const { checkEventSwitch } = await import('./event-code-scan.js');
    checkEventSwitch(readBuild(path.join(partial, 'with-events')), readBuild(path.join(partial, 'without-events')));
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
