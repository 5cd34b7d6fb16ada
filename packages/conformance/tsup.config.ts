import { defineConfig } from 'tsup';

export default defineConfig({
  // The fixtures are an entry of their own: executors load them by task reference
  // (module URL + export name), so they must exist as a module next to the entry point.
  entry: ['src/index.ts', 'src/fixtures.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  shims: true,
  // No shared chunks: each entry is one file, so the fixtures module's import.meta.url
  // (which its references are built from) is the URL of the fixtures module itself.
  splitting: false,
  target: 'node20',
  tsconfig: 'tsconfig.json',
});
