import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker entry is built next to the index so workers load plain JavaScript.
  entry: ['src/index.ts', 'src/worker.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
  tsconfig: 'tsconfig.json',
});
