import { spindleProject } from '@spindle/vitest-config';

export default spindleProject('cross-build');
