import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { esmBuildOptions } from './tsup-options.js';
import type { TsupOptions } from './tsup-options.js';

// A child process of `coreBuilds()`, started in core's folder (tsup resolves the entry
// points, the tsconfig and the package's dependencies from the working directory): runs
// core's own tsup, with core's own tsup config, for its ES module build, with
// `__SPINDLE_EVENTS__` as asked, into the folder asked. Argument: JSON {outDir, events}.
try {
  const { outDir, events } = JSON.parse(process.argv[2] ?? '') as { outDir: string; events: boolean };
  const here = process.cwd();
  const require = createRequire(path.join(here, 'package.json'));
  const tsup = (await import(pathToFileURL(require.resolve('tsup')).href)) as { build: (options: TsupOptions) => Promise<void> };
  const config = ((await import(pathToFileURL(path.join(here, 'tsup.config.ts')).href)) as { default: unknown }).default;
  await tsup.build(esmBuildOptions(config, events, outDir));
} catch (error) {
  console.error(error instanceof Error ? `bench (core build): ${error.stack ?? error.message}` : error);
  process.exitCode = 1;
}
