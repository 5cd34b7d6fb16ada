import { defineConfig } from 'vitest/config';

// One run, every package a project (and the private cross-build and documentation tests). Packages keep their
// own vitest.config.ts so they can also be tested alone (`pnpm --filter <pkg> test`).
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tooling/cross-build', 'tooling/docs-check'],
    passWithNoTests: false,
  },
});
