import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker entry is built next to the index so workers load plain JavaScript.
  entry: { index: 'src/index.ts', worker: 'src/worker/entry.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
  tsconfig: 'tsconfig.json',
});
