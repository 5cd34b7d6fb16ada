import { spindle } from '@spindle/eslint-config';

export default spindle(import.meta.dirname);
