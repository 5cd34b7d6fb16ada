import { defineProject } from 'vitest/config';

/**
 * The preset every package's vitest.config.ts uses, so the root config can run them all
 * as projects with the same rules.
 * @param {string} name
 * @param {import('vitest/config').UserWorkspaceConfig['test']} [overrides]
 * @param {Omit<import('vitest/config').UserWorkspaceConfig, 'test'>} [project] top-level settings (`define`)
 */
export function spindleProject(name, overrides = {}, project = {}) {
  return defineProject({
    ...project,
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 30_000,
      ...overrides,
    },
  });
}
