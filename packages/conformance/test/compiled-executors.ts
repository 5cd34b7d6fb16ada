import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where global-setup.ts puts the test executors compiled to plain JavaScript, so that a
 * child `node` process (the idle-process test) can import them without a TypeScript loader.
 * Inside this package's node_modules, so `@spindle/core` resolves from there.
 */
export const compiledDirectory = fileURLToPath(new URL('../node_modules/.cache/spindle-conformance-test/', import.meta.url));

/** URL of a compiled test executor module, e.g. `fifo-factory`. */
export function compiledModule(name: string): string {
  return pathToFileURL(`${compiledDirectory}${name}.js`).href;
}
