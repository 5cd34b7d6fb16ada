import { defineConfig } from 'vitest/config';

// One run, every package a project. Packages keep their own vitest.config.ts so they can
// also be tested alone (`pnpm --filter <pkg> test`).
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    passWithNoTests: false,
  },
});
