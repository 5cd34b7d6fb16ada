import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker command is built beside the index; package.json's `bin` names the ESM one.
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
  tsconfig: 'tsconfig.json',
});
