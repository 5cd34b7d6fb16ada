import { defineConfig } from 'vitest/config';

// For the child runs of broken-executors.test.ts only.
export default defineConfig({
  test: {
    include: ['test/meta/*.suite.ts'],
    environment: 'node',
    hookTimeout: 10_000,
    teardownTimeout: 5_000,
  },
});
