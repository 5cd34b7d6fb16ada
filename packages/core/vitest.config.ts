import { spindleProject } from '@spindle/vitest-config';

export default spindleProject('core', {}, { define: { __SPINDLE_EVENTS__: 'true' } });
