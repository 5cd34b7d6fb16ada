import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', kit: 'src/kit/index.ts', events: 'src/events/index.ts' },
  format: ['esm', 'cjs'],
  // One copy of each module shared by the three entry points, in both formats: a class
  // reached through `@spindle/core` and through `@spindle/core/kit` must be the same class.
  splitting: true,
  // Lifecycle events are in every published build (see src/shared/build-flags.d.ts).
  define: { __SPINDLE_EVENTS__: 'true' },
  dts: true,
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
  tsconfig: 'tsconfig.json',
});
