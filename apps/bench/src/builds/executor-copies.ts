import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The executors the idle-cost cases load against each build of core, and the file each copy gets beside it. */
export const EXECUTOR_COPIES = {
  '@spindle/round-robin': 'round-robin.js',
  '@spindle/trampoline': 'trampoline.js',
} as const;

/** An executor package whose copy sits beside each build of core. */
export type CopiedExecutor = keyof typeof EXECUTOR_COPIES;

/** An import's module specifier in a built ES module: `from "x"`, `import "x"`, `import("x")`. */
const SPECIFIER = /\b(from|import)(\s*\(?\s*)(["'])([^"'\n]+)\3/g;

/** The installed ES module build of `packageName` (its `import` entry). */
export function executorDist(packageName: CopiedExecutor): string {
  return fileURLToPath(import.meta.resolve(packageName));
}

/**
 * `source`, an executor's ES module build, with its imports of core's entry points
 * (`@spindle/core`, `@spindle/core/kit`, `@spindle/core/events`) sent to the files of
 * that name in the folder the copy is written to (`./index.js`, `./kit.js`, `./events.js`),
 * and its source map comment dropped (the map describes the build as installed).
 * @param entries core's entry points by specifier, each the file name of its build
 * @throws Error for any other import but Node's own modules, which a copy elsewhere could
 *   not resolve the way the package does
 */
export function redirectCoreImports(source: string, entries: ReadonlyMap<string, string>, packageName: string): string {
  const redirected = source.replaceAll(SPECIFIER, (whole, keyword: string, between: string, quote: string, specifier: string) => {
    const file = entries.get(specifier);
    if (file !== undefined) return `${keyword}${between}${quote}./${file}${quote}`;
    if (specifier.startsWith('node:')) return whole;
    throw new Error(`${packageName}'s build imports "${specifier}": a copy can only send imports of core's entry points (${[...entries.keys()].join(', ')}) to another build`);
  });
  return redirected.replaceAll(/^\/\/# sourceMappingURL=.*$/gm, '');
}

/** Writes a copy of every executor in {@link EXECUTOR_COPIES} into `dir`, a build of core, importing that build. */
export function copyExecutors(dir: string, entries: ReadonlyMap<string, string>): void {
  for (const [packageName, file] of Object.entries(EXECUTOR_COPIES)) {
    const source = readFileSync(executorDist(packageName as CopiedExecutor), 'utf8');
    writeFileSync(path.join(dir, file), redirectCoreImports(source, entries, packageName));
  }
}
