import { spindleProject } from '@spindle/vitest-config';

// Each example runs in a child `node` process; a pool or bullmq example starts threads or a
// worker process, and the type-check compiles every example at once.
export default spindleProject('docs-check', { testTimeout: 120_000, hookTimeout: 60_000 });
