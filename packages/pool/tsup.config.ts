import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // Everything but the worker entry, which the second build writes at the same time.
    clean: ['!worker.js', '!worker.js.map'],
    shims: true,
    target: 'node20',
    tsconfig: 'tsconfig.json',
  },
  {
    // Workers run one build whichever build of the package started them: the ES module one,
    // which loads task modules with a real `import()` (ES modules and CommonJS alike).
    entry: { worker: 'src/worker/entry.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    tsconfig: 'tsconfig.json',
  },
]);
