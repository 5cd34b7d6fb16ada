import { spindleProject } from '@spindle/vitest-config';

export default spindleProject('conformance', {
  // Compiles the test executors for the child processes of the idle-process test.
  globalSetup: ['test/global-setup.ts'],
});
