import { spindleProject } from '@spindle/vitest-config';

export default spindleProject('diagnostics');
