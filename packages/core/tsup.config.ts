import { defineConfig } from 'tsup';
import type { Options } from 'tsup';

const common: Options = {
  entry: { index: 'src/index.ts', kit: 'src/kit/index.ts', events: 'src/events/index.ts' },
  dts: true,
  sourcemap: true,
  shims: true,
  target: 'node20',
  tsconfig: 'tsconfig.json',
  // Lifecycle events are in every published build (see src/shared/build-flags.d.ts).
  define: { __SPINDLE_EVENTS__: 'true' },
};

export default defineConfig([
  // ES modules: one copy of each module shared by the three entry points.
  { ...common, format: 'esm', splitting: true, clean: true },
  // CommonJS: each entry point whole. tsup's CommonJS splitting rewrites `import()` into
  // `require()`, which cannot load an ES module task module. A module reached through two
  // CommonJS entry points is two copies; core keeps everything process-wide (task ids,
  // event state, the clock, error brands) on globalThis, so the copies agree, as an ES
  // module core and a CommonJS core in one process do.
  { ...common, format: 'cjs', splitting: false },
]);
