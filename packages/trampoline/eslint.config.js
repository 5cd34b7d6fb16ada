import { spindle } from '@spindle/eslint-config';

export default [
  ...spindle(import.meta.dirname),
  // Plain JavaScript a child `node` process imports (the conformance idle-process test).
  { ignores: ['test/*.mjs'] },
];
