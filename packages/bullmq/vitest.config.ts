import { spindleProject } from '@spindle/vitest-config';

// Every test runs against a real Redis that the global setup starts (see test/redis-setup.ts).
export default spindleProject('bullmq', { globalSetup: ['./test/redis-setup.ts'] });
