import { spindleProject } from '@spindle/vitest-config';

// The conformance suite against the CommonJS pool build, on its own (`pnpm test:pool-cjs`):
// not part of the default run while the CommonJS build of core cannot load task
// references (see README.md).
export default spindleProject('cross-build, pool CommonJS build', { include: ['test/pool-cjs.conformance.ts'] });
